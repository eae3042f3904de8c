"""Return-visit calls: a call campaign's due rows become call tasks in the agents' queue, worked on the call panel,
and what the agent logs there lands on the campaign's rows and results."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.calls import call_decide
from crm.models import Case, Customer
from retention.models import CampaignContact
from retention.results import campaign_results
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory, ManagerFactory

from .conftest import buy, customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return open_store(name="丝韵旗舰店")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store], on_shift=True)


def _call_campaign(store, segment=None, **overrides):
    campaign = campaign_for(store, segment or everyone(store), channel="call", **overrides)
    campaign_start(campaign=campaign)
    return campaign


def _logged_in(agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def _log(client, task, outcome, **data):
    return client.post(
        f"/calls/{task.pk}/outcome", {"outcome": outcome, "expected_seq": task.call_attempts.count() + 1, **data}
    )


def test_a_due_call_contact_becomes_exactly_one_call_task_in_the_daytime_queue(store, agent):
    customer = customer_with_orders(store, [90, 30], name="林小姐")
    latest = buy(customer, days_ago=2, amount="880.00")
    campaign = _call_campaign(store)

    first = campaign_call_tasks_create()
    again = campaign_call_tasks_create()

    assert (first.created, again.created, again.excluded) == (1, 0, 0)
    [task] = FollowUp.objects.filter(purpose="return_visit")
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert contact.call_task == task and contact.status == "planned"
    assert (task.status, task.order, task.assignee, task.customer) == ("planned", latest, agent, customer)
    # The campaign's wording for this customer is the task's script; the note names the campaign and the offer.
    assert task.script.startswith("林小姐") and "满300减50元" in task.script and "回T退订" not in task.script
    assert "回访" in task.note and "满300减50元" in task.note
    page = _logged_in(agent).get("/calls/").text
    today = page[page.index('data-testid="queue-today"') :]
    assert "林小姐" in today and "Return visit" in today and f"/calls/{task.pk}/" in today


def test_return_visits_go_to_agents_still_serving_the_store(store, agent):
    # The round robin at the start took in an agent who had left (login switched off, still listed on the store),
    # and the sweep kept that agent: their calls waited in a queue nobody opens.
    gone = AgentFactory(stores=[store], user__is_active=False)
    customers = [customer_with_orders(store, [30]) for _ in range(4)]
    campaign = _call_campaign(store)
    assert campaign_call_tasks_create().created == 4

    rows = CampaignContact.objects.filter(campaign=campaign, customer__in=customers)
    assert {row.assignee for row in rows} == {agent}
    assert {task.assignee for task in FollowUp.objects.filter(purpose="return_visit")} == {agent}
    assert gone not in {row.assignee for row in rows}


def test_a_contact_not_yet_due_waits_for_its_time(store, agent):
    customer_with_orders(store, [30])
    _call_campaign(store, starts_at=timezone.now() + timedelta(hours=1))
    assert campaign_call_tasks_create().created == 0
    assert not FollowUp.objects.filter(purpose="return_visit").exists()
    assert campaign_call_tasks_create(now=timezone.now() + timedelta(hours=1, minutes=1)).created == 1


def test_a_contact_the_gate_refuses_when_due_is_recorded_excluded_with_the_reason(store, agent):
    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    # Consent withdrawn between the start and the moment the call falls due.
    Customer.objects.filter(pk=customer.pk).update(marketing_consent_at=None, marketing_consent_source="")

    report = campaign_call_tasks_create()

    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (report.created, report.excluded) == (0, 1)
    assert (contact.status, contact.excluded_reason) == ("suppressed", "no_marketing_consent")
    assert contact.call_task.status == "suppressed"  # kept by callbacks with the gate's reason, in no queue
    assert campaign_results(campaign=campaign).exclusions == {"no_marketing_consent": 1}
    assert campaign_call_tasks_create().excluded == 0  # excluded once


def test_a_second_campaign_does_not_call_a_customer_whose_return_visit_is_still_waiting(store, agent):
    customer = customer_with_orders(store, [30])
    first = _call_campaign(store, name="第一波")
    second = _call_campaign(store, first.segment, name="第二波")

    report = campaign_call_tasks_create()

    assert (report.created, report.excluded) == (1, 1)
    assert FollowUp.objects.filter(purpose="return_visit", status="planned").count() == 1
    rows = CampaignContact.objects.filter(customer=customer)
    assert rows.get(campaign=first).call_task is not None
    assert rows.get(campaign=second).excluded_reason == "call_waiting"


def test_a_customer_called_for_one_campaign_is_not_called_again_that_day_for_another(store, agent):
    # Called in the morning for one campaign (and the task closed), the customer got a second return-visit call
    # the same afternoon for another campaign that fell due later; and the same with a new order in between.
    customer = customer_with_orders(store, [30])
    first = _call_campaign(store, name="第一波")
    second = _call_campaign(store, first.segment, name="第二波", starts_at=timezone.now() + timedelta(hours=1))
    third = _call_campaign(store, first.segment, name="第三波", starts_at=timezone.now() + timedelta(hours=2))
    campaign_call_tasks_create()
    [task] = FollowUp.objects.filter(purpose="return_visit")
    assert _log(_logged_in(agent), task, "interested").status_code == 302

    later = campaign_call_tasks_create(now=timezone.now() + timedelta(hours=1, minutes=1))
    buy(customer, days_ago=0)
    latest = campaign_call_tasks_create(now=timezone.now() + timedelta(hours=2, minutes=1))

    assert (later.created, later.excluded, latest.created, latest.excluded) == (0, 1, 0, 1)
    assert list(FollowUp.objects.filter(purpose="return_visit")) == [task]
    rows = CampaignContact.objects.filter(customer=customer)
    assert [rows.get(campaign=c).excluded_reason for c in (second, third)] == ["visited_today", "visited_today"]


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_sweeps_on_two_campaigns_of_one_customer_make_one_call_task(store, agent):
    # Each run claims its own rows (SKIP LOCKED); both asked for the customer's return visit at once, and the
    # second ended in an IntegrityError on the one live task per order and purpose.
    from tests.locking import overlapping

    customer = customer_with_orders(store, [30])
    first = _call_campaign(store, name="第一波")
    second = _call_campaign(store, first.segment, name="第二波")

    assert overlapping(lambda: campaign_call_tasks_create(batch_size=1, time_budget=0), campaign_call_tasks_create)

    assert FollowUp.objects.filter(purpose="return_visit").count() == 1
    rows = CampaignContact.objects.filter(customer=customer)
    assert rows.get(campaign=first).call_task is not None
    assert rows.get(campaign=second).excluded_reason == "call_waiting"


@pytest.mark.parametrize("outcome", ["interested", "not_now", "do_not_call", "complaint"])
def test_each_outcome_logged_on_the_panel_lands_on_the_contact_and_in_the_results(store, agent, outcome):
    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")

    answer = _log(_logged_in(agent), task, outcome, note="围巾起球" if outcome == "complaint" else "")

    assert answer.status_code == 302
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (contact.status, contact.outcome) == ("done", outcome)
    assert contact.sent_at is not None  # the call's time starts the attribution window
    results = campaign_results(campaign=campaign)
    assert results.call_outcomes == {outcome: 1} and results.contacted == 1 and results.waiting == 0


def test_a_complaint_opens_a_case_in_the_workspace_about_the_order_called_about(store, agent):
    customer = customer_with_orders(store, [30])
    _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")

    _log(_logged_in(agent), task, "complaint", cause="quality", note="围巾起球")

    case = Case.objects.get(customer=customer)
    assert (case.source, case.order, case.cause) == (Case.Source.RETURN_VISIT, task.order, "quality")
    assert "起球" in case.summary
    assert task.call_attempts.get().case == case


def test_do_not_call_again_stops_further_marketing_calls_through_the_gate(store, agent):
    customer = customer_with_orders(store, [30])
    first = _call_campaign(store, name="第一波")
    # The next day: the same day, one return visit is all a customer gets whatever they said.
    later = _call_campaign(store, first.segment, name="第二波", starts_at=timezone.now() + timedelta(days=1))
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")

    _log(_logged_in(agent), task, "do_not_call")

    customer.refresh_from_db()
    assert customer.contact_preference == "no_calls"
    report = campaign_call_tasks_create(now=timezone.now() + timedelta(days=1, minutes=1))
    row = CampaignContact.objects.get(campaign=later, customer=customer)
    assert (report.created, row.status, row.excluded_reason) == (0, "suppressed", "no_calls")
    assert call_decide(subject=task).reason == "no_calls"


def test_no_answer_keeps_the_contact_waiting_until_the_task_gives_up(store, agent):
    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    client = _logged_in(agent)

    _log(client, task, "no_answer")
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (contact.status, contact.outcome) == ("planned", "no_answer")  # tried again later today
    for _ in range(2):  # the store's maximum of three attempts
        _log(client, task, "no_answer")

    contact.refresh_from_db()
    task.refresh_from_db()
    assert task.status == "done" and (contact.status, contact.sent_at) == ("failed", None)
    results = campaign_results(campaign=campaign)
    assert (results.contacted, results.failed, results.waiting) == (0, 1, 0)


def test_the_panel_offers_the_return_visit_outcomes_and_refuses_the_care_ones(store, agent):
    customer_with_orders(store, [30])
    _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    client = _logged_in(agent)

    panel = client.get(f"/calls/{task.pk}/").text
    assert 'data-testid="return-visit-outcomes"' in panel and 'value="interested"' in panel
    assert 'value="satisfied"' not in panel and task.script.split("，")[0] in panel

    refused = _log(client, task, "satisfied")
    assert refused.status_code == 400
    task.refresh_from_db()
    assert task.status == "planned" and not task.call_attempts.exists()


def test_an_agent_of_another_store_gets_404_on_the_panel_and_changes_nothing(store, agent):
    customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    stranger = _logged_in(AgentFactory(stores=[open_store()]))

    assert stranger.get(f"/calls/{task.pk}/").status_code == 404
    assert _log(stranger, task, "interested").status_code == 404
    assert CampaignContact.objects.get(campaign=campaign).outcome == ""


def test_the_campaign_page_lists_its_calls_with_their_outcome_and_call_panel(store, agent):
    customer_with_orders(store, [30], name="林小姐")
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    _log(_logged_in(agent), task, "interested")
    manager = _logged_in(ManagerFactory(stores=[store]))

    page = manager.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text

    calls = page[page.index('data-testid="visit-calls"') :]
    assert "林小姐" in calls and "Interested" in calls and f"/calls/{task.pk}/" in calls
    assert manager.get(f"/calls/{task.pk}/").status_code == 200
    assert Client().get("/retention/visits/").status_code == 404  # no second queue


def test_a_return_visit_nobody_made_in_its_window_fails_its_contact_as_not_called(store, agent):
    import time_machine

    from callbacks.services.missed import GRACE, followups_close_missed

    customer = customer_with_orders(store, [30], name="林小姐")
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")

    with time_machine.travel(task.window_end + GRACE + timedelta(minutes=1), tick=False):
        report = followups_close_missed()

    task.refresh_from_db()
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (report.missed, report.care_sms) == (1, 0)  # a call task gets no care SMS
    assert (task.status, task.outcome) == ("done", "missed")
    assert (contact.status, contact.outcome, contact.sent_at) == ("failed", "missed", None)
    results = campaign_results(campaign=campaign)
    assert (results.contacted, results.failed, results.waiting) == (0, 1, 0)  # not reached, not interested
    assert results.call_outcomes == {"missed": 1}
    assert not Case.objects.exists()  # not a complaint
    page = _logged_in(ManagerFactory(stores=[store])).get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
    calls = page[page.index('data-testid="visit-calls"') :]
    assert "林小姐" in calls and "Not called in its window" in calls
    assert "<th>Not called in its window</th>" in page  # the results' call outcomes


def test_a_return_visit_called_without_an_outcome_logged_counts_as_called_not_as_failed(store, agent):
    import time_machine

    from callbacks.services.calls import call_start, call_status_advance
    from callbacks.services.missed import OUTCOME_WAIT, followups_close_missed

    customer = customer_with_orders(store, [30], name="林小姐")
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    with time_machine.travel(task.window_start + timedelta(hours=1), tick=False):
        call = call_start(followup=task, agent=task.assignee)
        call_status_advance(call=call, status="completed", duration_seconds=240)  # the agent closed the tab

    with time_machine.travel(task.window_end + OUTCOME_WAIT, tick=False):
        report = followups_close_missed()

    task.refresh_from_db()
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (report.not_logged, task.status, task.outcome) == (1, "done", "not_logged")
    assert (contact.status, contact.outcome, contact.sent_at) == ("done", "not_logged", call.started_at)
    results = campaign_results(campaign=campaign)
    assert (results.contacted, results.failed, results.waiting) == (1, 0, 0)
    assert results.call_outcomes == {"not_logged": 1}


def test_stopping_a_call_campaign_withdraws_its_calls_not_yet_made_with_the_reason(store, agent):
    # Stopped, its return-visit calls already in the agents' queue stayed there, to be made for a campaign the store
    # had called off.
    from callbacks.services.calls import call_start
    from retention.services.campaigns import campaign_stop

    names = ("林小姐", "王先生", "赵女士")
    customers = [customer_with_orders(store, [30], name=name) for name in names]
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    waiting, retry, on_the_line = (FollowUp.objects.get(customer=c, purpose="return_visit") for c in customers)
    client = _logged_in(agent)
    call_start(followup=retry, agent=agent)
    _log(client, retry, "no_answer")  # called once, no answer: planned again for a second try
    call_start(followup=on_the_line, agent=agent)  # on the phone when the campaign is stopped

    assert campaign_stop(campaign=campaign) == 2

    for task in (waiting, retry, on_the_line):
        task.refresh_from_db()
    assert (waiting.status, waiting.suppressed_reason) == ("suppressed", "campaign_stopped")
    assert (retry.status, retry.suppressed_reason, retry.attempts) == ("suppressed", "campaign_stopped", 1)
    assert on_the_line.status == "in_progress"  # left to finish
    rows = {row.customer.name: row for row in CampaignContact.objects.filter(campaign=campaign)}
    assert (rows["林小姐"].status, rows["林小姐"].excluded_reason) == ("suppressed", "campaign_stopped")
    assert (rows["王先生"].status, rows["王先生"].outcome) == ("suppressed", "no_answer")
    assert rows["赵女士"].status == "planned"
    client.get("/calls/")  # the page that shows the flash message of the outcome logged above
    queue = client.get("/calls/").text
    queue = queue[queue.index('data-testid="queue"') :]
    assert "林小姐" not in queue and "王先生" not in queue and "赵女士" in queue
    panel = client.get(f"/calls/{waiting.pk}/").text
    assert 'data-reason="campaign_stopped"' in panel and "The campaign was stopped" in panel
    assert 'data-testid="call"' not in panel
    manager = Client()
    manager.force_login(ManagerFactory(stores=[store]).user)
    page = manager.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
    calls = page[page.index('data-testid="visit-calls"') :]
    assert "林小姐" in calls and "The campaign was stopped first" in calls

    _log(client, on_the_line, "interested")  # the call under way ends, and counts
    rows["赵女士"].refresh_from_db()
    assert (rows["赵女士"].status, rows["赵女士"].outcome) == ("done", "interested")


def test_a_return_visit_under_way_when_its_campaign_stopped_is_not_tried_again_after_no_answer(store, agent):
    from callbacks.services.calls import call_start
    from retention.services.campaigns import campaign_stop

    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    call_start(followup=task, agent=agent)
    campaign_stop(campaign=campaign)

    _log(_logged_in(agent), task, "no_answer")

    task.refresh_from_db()
    row = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (task.status, task.suppressed_reason, task.outcome) == ("suppressed", "campaign_stopped", "no_answer")
    assert (row.status, row.excluded_reason, row.outcome) == ("suppressed", "campaign_stopped", "no_answer")


@pytest.mark.django_db(transaction=True)
def test_a_stop_while_an_unanswered_call_is_being_logged_still_withdraws_its_retry(store, agent):
    # The outcome being logged read the campaign as running and planned the retry; the stop, not waiting for it, left
    # that retry in the queue of a campaign it had stopped.
    from callbacks.services.calls import call_start
    from callbacks.services.outcomes import followup_log_outcome
    from retention.services.campaigns import campaign_stop
    from tests.locking import overlapping

    customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    task = FollowUp.objects.get(purpose="return_visit")
    call_start(followup=task, agent=agent)

    waited = overlapping(
        lambda: followup_log_outcome(followup=task, agent=agent, outcome="no_answer", expected_seq=1),
        lambda: campaign_stop(campaign=campaign),
    )

    task.refresh_from_db()
    assert waited and (task.status, task.suppressed_reason, task.attempts) == ("suppressed", "campaign_stopped", 1)
    assert CampaignContact.objects.get(call_task=task).excluded_reason == "campaign_stopped"


def _close(store, first, last, **confirmed):
    from crm.services.closures import store_closure_add

    return store_closure_add(store=store, actor=None, name="盘点", first_day=first, last_day=last, **confirmed)


def test_a_return_visit_due_while_the_store_is_closed_is_called_on_its_next_open_day(store, agent):
    """ADR 0035: nobody works the queue on a closed day; the return visit due then was planned for it all the same
    and closed as missed, the campaign's row failed, not reached."""
    from crm.timezones import store_today

    today = store_today(store)
    _close(store, today, today + timedelta(days=1))
    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store)

    assert campaign_call_tasks_create().created == 1

    [task] = FollowUp.objects.filter(purpose="return_visit")
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    # The row shows the call at its task's window (it keeps no time of its own: ADR 0035).
    assert task.contact_day == today + timedelta(days=2) and contact.call_task_id == task.pk


def test_a_closure_recorded_today_moves_todays_return_visits(store, agent):
    from crm.timezones import store_today

    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    [task] = FollowUp.objects.filter(purpose="return_visit")
    today = store_today(store)
    assert task.contact_day == today

    _close(store, today, today)

    task.refresh_from_db()
    contact = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert task.contact_day == today + timedelta(days=1) and task.status == "planned"
    assert contact.call_task_id == task.pk


def test_a_return_visit_a_closure_moves_past_its_campaigns_end_is_withdrawn_with_the_reason(store, agent):
    """A campaign's offer and coupon run to its end: a call moved by a closure to a day after it was still made, about
    an offer that had ended. It is taken back, and the panel and the campaign page say why."""
    from crm.timezones import store_today

    customer = customer_with_orders(store, [30], name="林小姐")
    short = _call_campaign(store, segment=everyone(store), ends_at=timezone.now() + timedelta(days=2), name="短")
    campaign_call_tasks_create()
    [task] = FollowUp.objects.filter(purpose="return_visit")
    today = store_today(store)
    stays = FollowUp.objects.create(  # another app's call task that day (a parcel at risk): not retention's to take
        store=store, customer=customer, order=customer.orders.first(), purpose="logistics",
        tier="call", channel="call", status="planned", contact_day=today,
        window_start=task.window_start, window_end=task.window_end,
    )  # fmt: skip

    _close(store, today, today + timedelta(days=3), withdrawals_confirmed=1)  # asked first (ADR 0046)

    task.refresh_from_db()
    stays.refresh_from_db()
    assert (task.status, task.suppressed_reason) == ("suppressed", "past_campaign_end")
    assert stays.status == "planned" and stays.contact_day == today + timedelta(days=4)
    rows = CampaignContact.objects.filter(campaign=short, call_task=task)
    assert [(row.status, row.excluded_reason) for row in rows] == [("suppressed", "past_campaign_end")]
    panel = _logged_in(agent).get(f"/calls/{task.pk}/").text
    assert 'data-reason="past_campaign_end"' in panel and 'data-testid="call"' not in panel
    manager = Client()
    manager.force_login(ManagerFactory(stores=[store]).user)
    manager.cookies["django_language"] = "zh-hans"
    page = manager.get(f"/retention/{store.pk}/campaigns/{short.pk}/").text
    calls = page[page.index('data-testid="visit-calls"') :]
    assert "活动结束之后" in calls


def test_a_return_visit_a_closure_moves_within_its_campaign_is_still_called(store, agent):
    from crm.timezones import store_today

    customer_with_orders(store, [30])
    _call_campaign(store)  # a week long
    campaign_call_tasks_create()
    [task] = FollowUp.objects.filter(purpose="return_visit")
    today = store_today(store)

    _close(store, today, today + timedelta(days=1))

    task.refresh_from_db()
    assert (task.status, task.contact_day) == ("planned", today + timedelta(days=2))
    assert CampaignContact.objects.get(call_task=task).status == "planned"


def test_a_customer_who_answered_a_campaigns_sms_is_called_first_and_the_queue_says_when_they_replied(store, agent):
    """A customer who answered the store's campaign SMS with a question waited where the order value put them among the
    day's return visits, and nothing on the row said they had written. Their return visit now comes first, marked
    with the reply's time in the store's clock: a reply before the call task was made and one after it alike; a
    STOP is no reply (and leaves no return visit to make)."""
    from callbacks.services.dispatch import sms_dispatch_due
    from callbacks.services.inbound import inbound_sms_receive
    from crm.timezones import to_store_local

    policy = store.followup_policy
    policy.marketing_cap = 2  # the campaign's SMS and its return visit, in one week
    policy.save(update_fields=["marketing_cap"])
    customer_with_orders(store, [90], amount="900.00", name="林小姐", phone="+8613800000701")
    early = customer_with_orders(store, [90], amount="300.00", name="王先生", phone="+8613800000702")
    late = customer_with_orders(store, [90], amount="500.00", name="赵女士", phone="+8613800000703")
    customer_with_orders(store, [90], amount="950.00", name="钱先生", phone="+8613800000704")
    segment = everyone(store)
    campaign_start(campaign=campaign_for(store, segment, name="满减券"))
    sms_dispatch_due(time_budget=5, queues=["campaigns"])
    now = timezone.now().replace(microsecond=0)
    early_at, late_at = now + timedelta(minutes=1), now + timedelta(minutes=3)
    with time_machine.travel(early_at, tick=False):
        inbound_sms_receive(payload={"From": early.phone, "Body": "这张券能和会员折扣一起用吗？", "MessageSid": "SMq1"})
        inbound_sms_receive(payload={"From": "+8613800000704", "Body": "STOP", "MessageSid": "SMstop"})
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        _call_campaign(store, segment, name="回访电话")
        assert campaign_call_tasks_create().created == 3
    with time_machine.travel(late_at, tick=False):
        inbound_sms_receive(payload={"From": late.phone, "Body": "好的，几点打给我？", "MessageSid": "SMq2"})

    page = _logged_in(agent).get("/calls/").text
    today = page[page.index('data-testid="queue-today"') :]
    order = [name for name in ("林小姐", "王先生", "赵女士") if name in today]
    assert sorted(order, key=today.index) == ["赵女士", "王先生", "林小姐"] and "钱先生" not in today
    rows = {name: today[today.index(name) :] for name in order}
    for name, at in (("王先生", early_at), ("赵女士", late_at)):
        row = rows[name][: rows[name].index("</tr>")]
        assert 'data-testid="replied"' in row and to_store_local(at, store).strftime("%m-%d %H:%M") in row, name
    assert 'data-testid="replied"' not in rows["林小姐"][: rows["林小姐"].index("</tr>")]  # the largest order, last
