"""The call panel for a crm case: "Call the customer" on a case page, the panel, click-to-call, the outcome."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import CaseCall
from callbacks.services.calls import call_status_advance
from callbacks.telephony.memory import InMemoryBackend
from crm.models import AuditLog, Case, CaseEvent
from crm.services.cases import case_open
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store], user__username="lin", phone="+8613900000009")


@pytest.fixture
def case(store):
    order = OrderFactory(
        store=store, customer__store=store, customer__name="王芳", customer__phone="+8613812341234", external_id="TM-9"
    )
    case, _created = case_open(
        store=store, customer=order.customer, order=order, source=Case.Source.REVIEW, summary="色差太大"
    )
    return case


def _open(client, case, next_url=None):
    return client.post(f"/calls/cases/{case.pk}/call", {"next": next_url} if next_url else {})


def test_call_the_customer_opens_the_panel_for_the_case(client, case, agent):
    client.force_login(agent.user)
    response = _open(client, case, next_url="/reviews/1/")
    case_call = CaseCall.objects.get()
    assert response.status_code == 302
    assert response.url == f"/calls/case-calls/{case_call.pk}/?next=%2Freviews%2F1%2F"
    assert _open(client, case).url.startswith(f"/calls/case-calls/{case_call.pk}/")  # a double click: same call
    page = client.get(response.url, headers={"accept-language": "zh-hans"}).text
    assert "王芳" in page and "138****1234" in page and "+8613812341234" not in page
    assert f"关于工单 #{case.pk} 的电话" in page and "TM-9" in page and "色差太大" in page
    assert 'href="/reviews/1/"' in page  # back where the agent came from
    assert 'data-testid="script"' in page and 'data-testid="outcome-reached"' in page
    assert f'hx-post="/calls/case-calls/{case_call.pk}/call"' in page
    assert CaseCall.objects.count() == 1


def test_a_foreign_next_address_is_not_followed(client, case, agent):
    client.force_login(agent.user)
    response = _open(client, case, next_url="https://evil.example.com/")
    assert response.url.endswith("?next=" + f"%2Fcases%2F{case.pk}%2F")


@pytest.mark.usefixtures("within_call_hours")
def test_click_to_call_reveal_and_live_status_on_the_case_panel(client, case, agent):
    client.force_login(agent.user)
    _open(client, case)
    case_call = CaseCall.objects.get()
    fragment = client.post(f"/calls/case-calls/{case_call.pk}/call", headers={"HX-Request": "true"}).text
    assert (InMemoryBackend.calls[-1]["call"].to, InMemoryBackend.calls[-1]["customer_phone"]) == (
        agent.phone,
        "+8613812341234",
    )
    assert 'data-status="queued"' in fragment and f'hx-get="/calls/case-calls/{case_call.pk}/call/status"' in fragment
    assert 'id="followup-status" class="badge status-in_progress"' in fragment and 'hx-swap-oob="true"' in fragment
    second = client.post(f"/calls/case-calls/{case_call.pk}/call", headers={"HX-Request": "true"})
    assert second.status_code == 409 and len(InMemoryBackend.calls) == 1  # a double click places no second call
    call_status_advance(call=case_call.calls.get(), status="completed", duration_seconds=30)
    status = client.get(f"/calls/case-calls/{case_call.pk}/call/status").text
    assert 'data-status="completed"' in status and "hx-trigger" not in status
    assert not AuditLog.objects.exists()  # calling needs no reveal
    revealed = client.post(f"/calls/case-calls/{case_call.pk}/reveal", headers={"HX-Request": "true"}).text
    assert "+8613812341234" in revealed
    assert AuditLog.objects.get().action == "customer.phone_revealed"


def test_the_profile_can_be_edited_from_the_case_panel(client, case, agent):
    client.force_login(agent.user)
    _open(client, case)
    case_call = CaseCall.objects.get()
    form = client.get(f"/calls/case-calls/{case_call.pk}/profile").text
    assert f'hx-post="/calls/case-calls/{case_call.pk}/profile"' in form
    saved = client.post(
        f"/calls/case-calls/{case_call.pk}/profile",
        {"name": "王芳", "gender": "female", "region": "杭州", "contact_preference": "any", "interests": ""},
    )
    assert saved.status_code == 200 and "杭州" in saved.text
    assert case.customer.changes.filter(field="region").exists()


def test_logging_reached_goes_back_to_the_case_with_the_call_on_its_timeline(client, case, agent):
    client.force_login(agent.user)
    _open(client, case, next_url="/reviews/7/")
    case_call = CaseCall.objects.get()
    response = client.post(
        f"/calls/case-calls/{case_call.pk}/outcome",
        {"outcome": "reached", "expected_seq": 1, "note": "已致歉", "next": "/reviews/7/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Redirect"] == "/reviews/7/"
    assert case.events.get(kind=CaseEvent.Kind.CALL).message == "已致歉"
    again = client.post(
        f"/calls/case-calls/{case_call.pk}/outcome",
        {"outcome": "reached", "expected_seq": 1},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 409  # closed: the double click logs nothing
    assert case.events.filter(kind=CaseEvent.Kind.CALL).count() == 1
    timeline = client.get(f"/cases/{case.pk}/").text
    assert 'data-kind="call"' in timeline and "已致歉" in timeline
    # The outcome was confirmed where the agent landed, naming the customer and the order.
    assert "王芳" in timeline and "TM-9" in timeline and "Logged" in timeline


@pytest.mark.parametrize("target", ["abc", "home"])
def test_an_outcome_posted_with_a_next_that_is_not_a_path_goes_back_to_the_case(client, case, agent, target):
    """A bare word as `next` answered a 500 once the outcome was logged (redirect() read it as a view's name)."""
    client.force_login(agent.user)
    _open(client, case)
    case_call = CaseCall.objects.get()
    response = client.post(
        f"/calls/case-calls/{case_call.pk}/outcome", {"outcome": "reached", "expected_seq": 1, "next": target}
    )
    assert (response.status_code, response.url) == (302, f"/cases/{case.pk}/")
    opened = _open(client, case, next_url=target)
    assert opened.url.endswith("?next=" + f"%2Fcases%2F{case.pk}%2F")


def test_an_unknown_outcome_is_shown_in_the_form(client, case, agent):
    client.force_login(agent.user)
    _open(client, case)
    case_call = CaseCall.objects.get()
    response = client.post(f"/calls/case-calls/{case_call.pk}/outcome", {"outcome": "satisfied", "expected_seq": 1})
    assert response.status_code == 400 and 'data-testid="outcome-form"' in response.text
    assert CaseCall.objects.get().status == "planned"


def test_other_stores_and_colleagues_get_a_404(client, case, agent, store):
    outsider = AgentFactory(stores=[StoreFactory()])
    client.force_login(outsider.user)
    assert _open(client, case).status_code == 404
    assert not CaseCall.objects.exists()
    client.force_login(agent.user)
    _open(client, case)
    case_call = CaseCall.objects.get()
    for user in (outsider.user, AgentFactory(stores=[store]).user, ManagerFactory(stores=[StoreFactory()]).user):
        client.force_login(user)
        assert client.get(f"/calls/case-calls/{case_call.pk}/").status_code == 404
        assert client.post(f"/calls/case-calls/{case_call.pk}/reveal").status_code == 404
        assert client.post(f"/calls/case-calls/{case_call.pk}/call").status_code == 404
        outcome = {"outcome": "reached", "expected_seq": 1}
        assert client.post(f"/calls/case-calls/{case_call.pk}/outcome", outcome).status_code == 404
    assert InMemoryBackend.calls == [] and not AuditLog.objects.exists()
    client.force_login(ManagerFactory(stores=[store]).user)
    assert client.get(f"/calls/case-calls/{case_call.pk}/").status_code == 200


def test_the_case_pages_offer_the_call_while_the_case_is_open(client, case, agent):
    client.force_login(agent.user)
    timeline = client.get(f"/cases/{case.pk}/").text
    assert f'action="/calls/cases/{case.pk}/call"' in timeline and 'data-testid="call-customer"' in timeline
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, root_cause="other", closed_at=case.opened_at)
    assert 'data-testid="call-customer"' not in client.get(f"/cases/{case.pk}/").text


def test_the_case_panel_takes_a_fixed_number_of_queries(client, case, agent):
    client.force_login(agent.user)
    _open(client, case)
    case_call = CaseCall.objects.get()
    url = f"/calls/case-calls/{case_call.pk}/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        OrderFactory(store=case.store, customer=case.customer)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_case_panel_has_its_own_script_which_the_manager_edits(client, case, agent, store):
    client.force_login(agent.user)
    _open(client, case)
    url = f"/calls/case-calls/{CaseCall.objects.get().pk}/"
    page = client.get(url, headers={"accept-language": "zh-hans"}).text
    assert "王芳您好，这里是丝韵旗舰店。很抱歉您购买的" in page and "今天已经签收" not in page
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    script = {
        "body": "您好{customer},东西收到了吗?",
        "case_body": "{customer}您好,关于{product}给您添麻烦了,非常抱歉。",
    }
    assert client.post(f"/calls/script/{store.pk}/", script).status_code == 302
    assert "王芳您好,关于" in client.get(url).text
    assert client.post(f"/calls/script/{store.pk}/", {**script, "case_body": "x" * 4001}).status_code == 400
