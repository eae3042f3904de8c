from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import CallScript, FollowUp
from callbacks.selectors import followup_next_open
from crm.models import AuditLog, Case, CustomerChange
from tests.factories import AgentFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)  # 18:10 in Shanghai
WINDOW = {
    "window_start": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    "window_end": datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _followup(store, agent, **kwargs):
    return FollowUpFactory(order__customer__store=store, assignee=agent, **{**WINDOW, **kwargs})


def test_the_queue_shows_my_calls_tonight_in_store_time_dedicated_first(client, store, agent):
    call = _followup(store, agent, order__total_amount=1500)
    dedicated = _followup(store, agent, channel="dedicated", order__total_amount=3888)
    _followup(store, AgentFactory(stores=[store]))  # a colleague's
    _followup(
        store,
        agent,
        window_start=WINDOW["window_start"] + timedelta(days=1),
        window_end=WINDOW["window_end"] + timedelta(days=1),
    )
    client.force_login(agent.user)
    page = client.get("/calls/", headers={"accept-language": "zh-hans"}).text
    assert "今晚的回访电话" in page and "18:00" in page and "¥3,888.00" in page
    assert page.index(f'id="fu-{dedicated.pk}"') < page.index(f'id="fu-{call.pk}"')
    assert page.count('data-testid="queue-row"') == 2


def test_the_queue_counts_done_and_left_against_my_capacity(client, store, agent):
    _followup(store, agent)
    _followup(store, agent, status="done", outcome="satisfied")
    client.force_login(agent.user)
    page = client.get("/calls/").text
    assert 'data-testid="count-left">1<' in page and 'data-testid="count-done">1<' in page
    assert "2/20" in page
    assert client.get("/calls/?status=done").text.count('data-testid="queue-row"') == 1


def test_the_polled_fragment_is_only_the_queue(client, store, agent):
    _followup(store, agent)
    client.force_login(agent.user)
    fragment = client.get("/calls/", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<section id="queue"') and "<html" not in fragment


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_query_count_does_not_grow_with_rows(client, store, agent):
    manager = ManagerFactory(stores=[store])
    _followup(store, agent)
    client.force_login(agent.user)
    few = _queries(client, "/calls/")
    client.force_login(manager.user)
    few_manager = _queries(client, "/calls/")
    for _ in range(15):
        _followup(store, AgentFactory(stores=[store]))
        _followup(store, agent)
    client.force_login(agent.user)
    assert _queries(client, "/calls/") == few
    client.force_login(manager.user)
    assert _queries(client, "/calls/") == few_manager


def test_the_call_panel_query_count_does_not_grow_with_history(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(agent.user)
    url = f"/calls/{followup.pk}/"
    few = _queries(client, url)
    customer = followup.customer
    for _ in range(12):
        order = OrderFactory(customer=customer)
        FollowUpFactory(order=order, assignee=agent, status="done", outcome="satisfied")
        Case.objects.create(store=store, customer=customer, order=order, source="manual", opened_at=NOW)
        CustomerChange.objects.create(customer=customer, field="region", old_value="a", new_value="b", changed_at=NOW)
    assert _queries(client, url) == few


def test_the_panel_masks_the_phone_and_shows_the_strategy_and_the_script(client, store, agent):
    followup = _followup(
        store, agent, order__customer__phone="+8613812341234", order__customer__personality_type="dominant"
    )
    client.force_login(agent.user)
    page = client.get(f"/calls/{followup.pk}/").text
    assert "138****1234" in page and "+8613812341234" not in page
    assert "Brief, decisive answers" in page
    assert "+864008208820" in page  # the manager's hotline in the default script


def test_another_agent_cannot_open_my_follow_up(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(AgentFactory(stores=[store]).user)
    assert client.get(f"/calls/{followup.pk}/").status_code == 404
    assert client.post(f"/calls/{followup.pk}/outcome", {"outcome": "satisfied", "expected_seq": 1}).status_code == 404
    assert FollowUp.objects.get(pk=followup.pk).status == "planned"


def test_revealing_the_phone_is_explicit_and_audited(client, store, agent):
    followup = _followup(store, agent, order__customer__phone="+8613812341234")
    client.force_login(agent.user)
    fragment = client.post(f"/calls/{followup.pk}/reveal", headers={"HX-Request": "true"}).text
    assert "+8613812341234" in fragment
    assert AuditLog.objects.get().action == "customer.phone_revealed"


def test_logging_an_outcome_is_confirmed_on_the_page_naming_customer_and_order(client, store, agent):
    """The panel used to jump to the next call at once (often a customer of the same name), as if nothing happened."""
    first = _followup(store, agent, order__customer__name="王芳", order__external_id="TM-1")
    second = _followup(store, agent, order__customer__name="王芳", order__external_id="TM-2")
    client.force_login(agent.user)
    response = client.post(
        f"/calls/{first.pk}/outcome",
        {"outcome": "dissatisfied", "cause": "quality", "note": "有划痕", "expected_seq": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    case = Case.objects.get()
    assert (case.cause, case.summary, case.source) == ("quality", "有划痕", "call")
    confirmed = response.text
    assert 'data-testid="outcome-confirmed"' in confirmed
    assert "王芳" in confirmed and "TM-1" in confirmed and f"#{case.pk}" in confirmed
    assert f'href="/calls/{second.pk}/"' in confirmed and "TM-2" in confirmed  # the next call, named by its order
    response = client.post(f"/calls/{second.pk}/outcome", {"outcome": "satisfied", "expected_seq": 1})
    assert response.status_code == 302 and response.url == f"/calls/{second.pk}/"
    page = client.get(response.url).text
    assert "Reached, satisfied" in page and "TM-2" in page


def test_the_confirmation_after_a_redirect_shows_the_customers_name_escaped_once(client, store, agent):
    """The message is rendered from a template (escaped there) and shown by base.html: O'Brien must read O'Brien,
    not O&#x27;Brien, and markup in a name stays text."""
    followup = _followup(store, agent, order__customer__name="Seán O'Brien <b>VIP</b>", order__external_id="TM-9")
    client.force_login(agent.user)
    response = client.post(f"/calls/{followup.pk}/outcome", {"outcome": "satisfied", "expected_seq": 1}, follow=True)
    page = response.text
    message = page[page.index('<ul class="messages">') : page.index("</ul>", page.index('<ul class="messages">'))]
    assert "Seán O&#x27;Brien &lt;b&gt;VIP&lt;/b&gt;" in message and "TM-9" in message
    assert "&amp;" not in message and "<b>" not in message


def test_a_reschedule_is_confirmed_with_the_new_time_in_the_store_zone(client, store, agent):
    followup = _followup(store, agent, order__customer__name="李娜", order__external_id="TM-7")
    client.force_login(agent.user)
    response = client.post(
        f"/calls/{followup.pk}/outcome",
        {"outcome": "call_back", "callback_at": "2026-11-24T19:30", "expected_seq": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "李娜" in response.text and "TM-7" in response.text
    assert "11-24 19:30 (Asia/Shanghai)" in response.text


def test_bad_outcome_input_is_explained_on_the_form(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(agent.user)
    response = client.post(f"/calls/{followup.pk}/outcome", {"outcome": "dissatisfied", "expected_seq": 1})
    assert response.status_code == 400 and "Choose what the customer is unhappy about." in response.text
    response = client.post(
        f"/calls/{followup.pk}/outcome", {"outcome": "call_back", "callback_at": "yesterday", "expected_seq": 1}
    )
    assert response.status_code == 400 and "Enter a valid date/time." in response.text
    assert FollowUp.objects.get(pk=followup.pk).status == "planned"


def test_a_second_click_gets_a_conflict_not_a_second_log(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(agent.user)
    client.post(f"/calls/{followup.pk}/outcome", {"outcome": "no_answer", "expected_seq": 1})
    response = client.post(
        f"/calls/{followup.pk}/outcome", {"outcome": "no_answer", "expected_seq": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409 and 'data-code="followup_changed"' in response.text
    assert FollowUp.objects.get(pk=followup.pk).attempts == 1


def test_the_call_back_time_is_read_in_the_store_timezone(client, agent):
    berlin = StoreFactory(timezone="Europe/Berlin")
    agent.stores.add(berlin)
    followup = _followup(berlin, agent)
    client.force_login(agent.user)
    client.post(
        f"/calls/{followup.pk}/outcome", {"outcome": "call_back", "callback_at": "2026-11-24T19:30", "expected_seq": 1}
    )
    followup.refresh_from_db()
    assert followup.window_start == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def test_the_agent_edits_the_profile_and_sees_who_changed_what(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(agent.user)
    assert 'data-testid="profile-form"' in client.get(f"/calls/{followup.pk}/profile").text
    data = {
        "name": "王芳",
        "gender": "female",
        "birthday": "1988-03-08",
        "region": "杭州",
        "personality_type": "amiable",
        "interests": "茶道，旅行",
        "notes": "",
        "contact_preference": "any",
    }
    fragment = client.post(f"/calls/{followup.pk}/profile", data).text
    followup.customer.refresh_from_db()
    assert followup.customer.interests == ["茶道", "旅行"]
    assert "Region: — → 杭州" in fragment and "lin" in fragment
    bad = client.post(f"/calls/{followup.pk}/profile", {**data, "birthday": "1988-13-40"})
    assert bad.status_code == 400 and "Enter a valid date." in bad.text


def test_a_consent_time_before_the_calendar_begins_in_utc_is_refused_and_the_panel_still_opens(client, store, agent):
    # 0001-01-01 00:00 in Shanghai is a moment of year 0 in UTC: no datetime can hold it once stored.
    followup = _followup(store, agent)
    client.force_login(agent.user)
    data = {
        "name": "王芳",
        "gender": "female",
        "contact_preference": "any",
        "marketing_consent_source": "checkout",
        "marketing_consent_at": "0001-01-01T00:00",
    }
    response = client.post(f"/calls/{followup.pk}/profile", data)
    assert response.status_code == 400 and "Enter a valid date/time." in response.text
    assert client.get(f"/calls/{followup.pk}/").status_code == 200


def test_a_manager_sees_every_agents_calls_and_reassigns(client, store, agent):
    other = AgentFactory(stores=[store])
    followup = _followup(store, agent)
    _followup(store, other)
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    assert client.get("/calls/").text.count('data-testid="queue-row"') == 2
    row = client.post(f"/calls/{followup.pk}/reassign", {"assignee": other.pk}, headers={"HX-Request": "true"}).text
    assert f'id="fu-{followup.pk}"' in row
    assert FollowUp.objects.get(pk=followup.pk).assignee == other
    assert AuditLog.objects.get().action == "followup.reassigned"
    outsider = AgentFactory(stores=[StoreFactory()])
    assert client.post(f"/calls/{followup.pk}/reassign", {"assignee": outsider.pk}).status_code == 400


def test_reassigning_a_call_closed_meanwhile_keeps_the_row_and_says_why(client, store, agent):
    """The agent logged the call while the manager had the reassign form open: the service's refusal escaped to the
    error fragment, which replaced the whole table row with a bare alert (the row's call was gone from the queue)."""
    other = AgentFactory(stores=[store])
    followup = _followup(store, agent)
    client.force_login(ManagerFactory(stores=[store]).user)
    FollowUp.objects.filter(pk=followup.pk).update(status="done", outcome="reached")
    response = client.post(f"/calls/{followup.pk}/reassign", {"assignee": other.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert f'id="fu-{followup.pk}"' in response.text and "This follow-up is already closed." in response.text
    assert FollowUp.objects.get(pk=followup.pk).assignee == agent


def test_an_agent_cannot_reassign(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(agent.user)
    other = AgentFactory(stores=[store])
    assert client.post(f"/calls/{followup.pk}/reassign", {"assignee": other.pk}).status_code == 403
    assert FollowUp.objects.get(pk=followup.pk).assignee == agent


def test_a_manager_of_another_store_serving_this_one_as_an_agent_sees_and_steers_only_their_own_calls_here(
    client, store, agent
):
    """Roles are per store (ADR 0045): their own store's calls are all theirs to steer; here, only their own."""
    theirs = StoreFactory(code="jade")
    mixed = ManagerFactory(stores=[theirs])
    mixed.stores.add(store)
    own_here, colleagues_here = _followup(store, mixed), _followup(store, agent)
    colleagues_there = _followup(theirs, AgentFactory(stores=[theirs]))
    client.force_login(mixed.user)

    queue = client.get("/calls/").text
    assert f'id="fu-{own_here.pk}"' in queue and f'id="fu-{colleagues_there.pk}"' in queue
    assert f'id="fu-{colleagues_here.pk}"' not in queue
    assert f'data-testid="reassign-{own_here.pk}"' not in queue
    assert f'data-testid="reassign-{colleagues_there.pk}"' in queue
    assert client.get(f"/calls/{colleagues_here.pk}/").status_code == 404
    assert client.post(f"/calls/{own_here.pk}/reassign", {"assignee": agent.pk}).status_code == 403
    assert FollowUp.objects.get(pk=own_here.pk).assignee == mixed
    assert client.post(f"/calls/script/{store.pk}/", {"body": "mine now"}).status_code == 403
    assert not CallScript.objects.filter(store=store).exists()
    panel = client.get(f"/calls/{own_here.pk}/").text
    assert f"/calls/script/{store.pk}/" not in panel  # no "Edit" beside the script


def test_the_queue_lists_the_call_scripts_only_of_the_stores_a_user_manages(client, store, agent):
    """The queue's "Call scripts" links are a manager's, to edit them: a store they serve as an agent got one too, which
    opened the script read-only. There they get what any agent of the store gets (ADR 0045): the script on the panel."""
    theirs = StoreFactory(code="jade")
    mixed = ManagerFactory(stores=[theirs])
    mixed.stores.add(store)
    client.force_login(mixed.user)

    queue = client.get("/calls/").text

    assert f'href="/calls/script/{theirs.pk}/"' in queue
    assert f'href="/calls/script/{store.pk}/"' not in queue
    client.force_login(agent.user)
    assert "/calls/script/" not in client.get("/calls/").text


def test_a_manager_working_another_stores_calls_as_an_agent_sees_them_against_their_capacity(client, store, agent):
    """Shown the store they serve as an agent, the queue is an agent's there (ADR 0045): their own calls, counted
    against their evening capacity, without the loads of the agents of the store they manage."""
    theirs = StoreFactory(code="jade")
    mixed = ManagerFactory(stores=[theirs])
    mixed.stores.add(store, through_defaults={"on_shift": True, "evening_capacity": 12})
    _followup(store, mixed)
    _followup(store, mixed, status="done", outcome="satisfied")
    _followup(store, agent)
    _followup(theirs, AgentFactory(stores=[theirs]))
    client.force_login(mixed.user)

    here = client.get(f"/calls/?store={store.code}").text

    assert "2/12" in here and 'data-testid="agent-loads"' not in here
    everywhere = client.get("/calls/").text  # their store's calls too: every agent's there, the loads of each
    assert 'data-testid="agent-loads"' in everywhere and "of my capacity" not in everywhere


def test_a_manager_who_filters_the_queue_to_themselves_sees_their_calls_against_their_capacity(client, store, agent):
    """Filtered to one person, the queue lists only their calls: the manager's own are counted against their capacity
    in the stores shown, as an agent's are; another agent's against that agent's."""
    manager = ManagerFactory(stores=[store], evening_capacity=9)
    _followup(store, manager)
    _followup(store, manager, status="done", outcome="satisfied")
    _followup(store, agent)
    client.force_login(manager.user)

    mine = client.get(f"/calls/?agent={manager.pk}").text
    theirs = client.get(f"/calls/?agent={agent.pk}").text

    assert "2/9" in mine and "of my capacity" in mine
    assert "1/20" in theirs and "of this agent's capacity" in theirs and "of my capacity" not in theirs
    everyone = client.get("/calls/").text  # every agent's calls: the loads of each, no one capacity
    assert 'data-testid="agent-loads"' in everyone and "/9</span>" not in everyone


def test_the_queue_holds_calls_against_the_capacity_only_of_the_stores_where_the_person_is_on_shift(
    client, store, agent
):
    """Shift and capacity are each store's (ADR 0050): someone off shift in a store takes none of its evening calls, so
    their capacity there is no room in the queue's figure, the agent's own nor a manager's load of them."""
    other = StoreFactory(code="jade", timezone="Asia/Shanghai")
    agent.stores.add(other, through_defaults={"on_shift": False, "evening_capacity": 15})
    _followup(store, agent)
    _followup(store, agent, status="done", outcome="satisfied")
    manager = ManagerFactory(stores=[store, other])
    client.force_login(agent.user)

    mine = client.get("/calls/").text

    assert "2/20" in mine and "2/35" not in mine
    client.force_login(manager.user)
    loads = client.get("/calls/").text
    [load] = [line for line in loads.splitlines() if "1 to call · 1 done" in line]
    assert "capacity 20" in load
    assert "2/20" in client.get(f"/calls/?agent={agent.pk}").text


def test_the_store_manager_edits_the_call_script_and_the_panel_uses_it(client, store, agent):
    followup = _followup(store, agent)
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    response = client.post(f"/calls/script/{store.pk}/", {"body": "您好{customer},{product}还满意吗?热线{hotline}"})
    assert response.status_code == 302
    assert CallScript.objects.get(store=store).updated_by == manager
    assert client.post(f"/calls/script/{store.pk}/", {"body": "   "}).status_code == 400
    client.force_login(agent.user)
    assert (
        f"您好{followup.customer.name},真丝围巾还满意吗?热线+864008208820" in client.get(f"/calls/{followup.pk}/").text
    )
    assert client.post(f"/calls/script/{store.pk}/", {"body": "mine now"}).status_code == 403


def test_click_to_call_rings_the_agent_first_and_shows_the_live_status(client, store, agent):
    from callbacks.services.calls import call_status_advance
    from callbacks.telephony.memory import InMemoryBackend

    followup = _followup(store, agent, order__customer__phone="+8613812341234")
    client.force_login(agent.user)
    fragment = client.post(f"/calls/{followup.pk}/call", headers={"HX-Request": "true"}).text
    placed = InMemoryBackend.calls[-1]
    assert (placed["call"].to, placed["customer_phone"]) == (agent.phone, "+8613812341234")
    assert 'data-status="queued"' in fragment and 'hx-trigger="every 2s"' in fragment
    # The header's status badge follows, out of band: the follow-up is now in progress.
    assert 'id="followup-status" class="badge status-in_progress"' in fragment and 'hx-swap-oob="true"' in fragment
    assert not AuditLog.objects.exists()  # calling needs no reveal
    call = followup.calls.get()
    call_status_advance(call=call, status="completed", duration_seconds=42)
    status = client.get(f"/calls/{followup.pk}/call/status").text
    assert 'data-status="completed"' in status and "42 s" in status and "hx-trigger" not in status
    assert 'data-status="completed"' in client.get(f"/calls/{followup.pk}/").text


def test_a_customer_who_asked_not_to_be_called_is_not_dialled(client, store, agent):
    from callbacks.telephony.memory import InMemoryBackend

    followup = _followup(store, agent, order__customer__contact_preference="no_calls")
    client.force_login(agent.user)
    response = client.post(f"/calls/{followup.pk}/call", headers={"HX-Request": "true"})
    assert response.status_code == 409 and 'data-code="call_not_allowed"' in response.text
    assert InMemoryBackend.calls == [] and not followup.calls.exists()


def test_a_call_the_provider_never_reports_on_stops_being_polled(client, store, agent):
    followup = _followup(store, agent)
    client.force_login(agent.user)
    client.post(f"/calls/{followup.pk}/call")
    assert "hx-trigger" in client.get(f"/calls/{followup.pk}/call/status").text
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        status = client.get(f"/calls/{followup.pk}/call/status").text
    assert 'data-status="queued"' in status and "hx-trigger" not in status


def test_home_leads_to_tonights_queue(client, agent):
    client.force_login(agent.user)
    assert 'href="/calls/"' in client.get("/").text


def test_the_queue_groups_tonight_by_each_store_own_evening_and_shows_an_ended_window_as_ended(client, store):
    """Stores in several zones used to be mixed under one "tonight"; now each has its own evening, in its zone."""
    la = StoreFactory(name="LA Silk", timezone="America/Los_Angeles")
    agent = AgentFactory(stores=[store, la])
    at = datetime(2026, 11, 23, 11, 30, tzinfo=UTC)  # 19:30 in Shanghai (its window ended), 03:30 in Los Angeles
    shanghai_call = _followup(store, agent, order__external_id="SH-1")
    la_call = FollowUpFactory(
        order__customer__store=la,
        order__external_id="LA-1",
        assignee=agent,
        window_start=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),  # 18:00 on the 23rd in Los Angeles
        window_end=datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
    )
    client.force_login(agent.user)
    with time_machine.travel(at, tick=False):
        page = client.get("/calls/").text
    la_at, sh_at = page.index('data-store="' + la.code + '"'), page.index('data-store="' + store.code + '"')
    assert la_at < sh_at  # the evening still to come first; the ended one last
    la_section, sh_section = page[la_at:sh_at], page[sh_at:]
    assert 'data-state="upcoming"' in la_section[:200] and "America/Los_Angeles" in la_section
    assert "18:00–19:00" in la_section.replace("</strong>", "").replace("<strong>", "") and "LA-1" in la_section
    assert 'data-state="ended"' in sh_section[:200] and 'data-testid="evening-ended"' in sh_section
    assert "Asia/Shanghai" in sh_section and "SH-1" in sh_section
    assert la_call.pk and shanghai_call.pk


def test_call_tasks_due_today_show_in_a_daytime_section(client, store, agent):
    from datetime import date

    from callbacks.services.tasks_calls import call_task_create

    order = OrderFactory(customer__store=store, external_id="TM-42")
    with time_machine.travel(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), tick=False):  # 10:00 in Shanghai
        call_task_create(
            order=order,
            customer=order.customer,
            purpose="logistics",
            due_on=date(2026, 11, 23),
            note="No scan for 48 hours",
            assignee=agent,
        )
        client.force_login(agent.user)
        page = client.get("/calls/").text
    today = page[page.index('data-testid="queue-today"') :]
    assert "TM-42" in today and "No scan for 48 hours" in today and "Parcel at risk" in today


def test_the_call_button_says_why_outside_the_store_call_hours_and_offers_an_audited_override(client):
    la = StoreFactory(name="LA Silk", timezone="America/Los_Angeles")
    agent = AgentFactory(stores=[la], phone="+8613900000009")
    with time_machine.travel(datetime(2026, 12, 4, 9, 12, tzinfo=UTC), tick=False):  # 01:12 in Los Angeles
        followup = FollowUpFactory(order__customer__store=la, assignee=agent)
        client.force_login(agent.user)
        panel = client.get(f"/calls/{followup.pk}/").text
        assert 'data-reason="outside_call_window"' in panel and "01:12" in panel and "call-override" in panel
        refused = client.post(f"/calls/{followup.pk}/call", headers={"HX-Request": "true"})
        assert refused.status_code == 409 and 'data-reason="outside_call_window"' in refused.text
        assert not followup.calls.exists()
        placed = client.post(f"/calls/{followup.pk}/call", {"override": "1"}, headers={"HX-Request": "true"})
    assert placed.status_code == 200 and followup.calls.count() == 1
    assert AuditLog.objects.filter(action="contact.override", actor=agent.user).count() == 1


def test_the_call_panel_of_a_customer_who_was_sent_a_gift_opens_and_says_the_gift(client, store, agent, settings):
    """A gift sent goes on the customer's change history (retention), under a name no profile field has: the call
    panel looked the name up among the profile's fields and answered a 500 for every customer who had been sent one."""
    settings.LANGUAGE_CODE = "zh-hans"
    followup = _followup(store, agent)
    CustomerChange.objects.create(
        customer=followup.customer, field="gift_sent", old_value=None, changed_by=agent.user, changed_at=NOW,
        new_value={"gift": "真丝方巾", "occasion": "2026-11-30", "task": 3},
    )  # fmt: skip
    client.force_login(agent.user)

    response = client.get(f"/calls/{followup.pk}/")

    assert response.status_code == 200
    changes = response.text.split('data-testid="profile-changes"')[1].split("</ul>")[0]
    assert "送出礼物：— → 真丝方巾（2026-11-30）" in changes and "gift_sent" not in changes


def test_the_next_call_opened_after_an_outcome_is_the_first_of_the_queue(store, agent):
    """The list puts a customer who answered by SMS first, then dedicated calls first within a window, the larger
    order first; the call opened next after an outcome is the one the list shows first, not the oldest."""
    done = _followup(store, agent)
    plain = _followup(store, agent, order__total_amount=800)
    larger = _followup(store, agent, order__total_amount=5000)
    dedicated = _followup(store, agent, channel="dedicated", order__total_amount=300)
    assert followup_next_open(user=agent.user, after=done) == dedicated
    dedicated.status = FollowUp.Status.DONE
    dedicated.save(update_fields=["status"])
    assert followup_next_open(user=agent.user, after=done) == larger
    plain.customer_replied_at = NOW - timedelta(minutes=5)
    plain.save(update_fields=["customer_replied_at"])
    assert followup_next_open(user=agent.user, after=done) == plain


def test_the_call_panel_names_the_orders_merged_into_the_call_with_value_and_signed_for_time(client, store, agent):
    # ADR 0051: an agent calling about one order knows the customer also received the others the call covers.
    followup = _followup(store, agent, order__external_id="TM-1", order__total_amount=12000)
    for number, amount, signed in (("TM-3", 800, (23, 9, 5)), ("TM-2", 3000, (22, 15, 59))):  # UTC: 17:05, 23:59
        order = OrderFactory(customer=followup.customer, external_id=number, total_amount=amount,
                             status="delivered", delivered_at=datetime(2026, 11, *signed, tzinfo=UTC))  # fmt: skip
        FollowUpFactory(order=order, status="suppressed", suppressed_reason="merged", merged_into=followup, **WINDOW)
    other = _followup(store, agent, order__customer=followup.customer, order__external_id="TM-9", status="done")
    client.force_login(agent.user)

    page = client.get(f"/calls/{followup.pk}/", headers={"accept-language": "zh-hans"}).text

    merged = page[page.index('data-testid="merged-orders"') :]
    merged = merged[: merged.index("</div>")]
    assert "合并到本次通话的订单" in merged
    assert merged.index("TM-2") < merged.index("TM-3")  # first signed for first
    assert "¥3,000.00" in merged and "签收于 11-22 23:59" in merged
    assert "¥800.00" in merged and "签收于 11-23 17:05" in merged
    assert "TM-1" not in merged and other.order.external_id not in merged
