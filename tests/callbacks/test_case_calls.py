"""Calls about a crm case: opened on demand from the case page, outside the evening queue, logged on the case."""

import threading
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from twilio.request_validator import RequestValidator

from callbacks.errors import CallNotAllowed, CaseCallClosed, CaseCallNotFound, FollowUpChanged
from callbacks.models import Call, CallAttempt, CaseCall
from callbacks.selectors import QueueFilters, queue_tonight
from callbacks.services.calls import call_start, case_call_start
from callbacks.services.capacity import CallCapacity
from callbacks.services.case_calls import case_call_log_outcome, case_call_open
from callbacks.telephony.memory import InMemoryBackend
from crm.errors import CaseClosed, InvalidInput, PermissionDenied
from crm.models import AuditLog, Case, CaseEvent, Customer
from crm.services.cases import case_open, case_reassign
from tests.factories import AgentFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)  # 18:10 in Shanghai, inside the default call window


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store], phone="+8613900000009")


@pytest.fixture
def case(store):
    order = OrderFactory(store=store, customer__store=store)
    case, _created = case_open(store=store, customer=order.customer, order=order, source=Case.Source.REVIEW)
    return case


def _reach(case_call, agent, outcome="reached", seq=1, note=""):
    return case_call_log_outcome(case_call=case_call, agent=agent, outcome=outcome, expected_seq=seq, note=note)


def test_opening_twice_finds_the_same_open_call_assigned_to_the_agent(case, agent):
    first, created = case_call_open(case=case, agent=agent)
    again, created_again = case_call_open(case=case, agent=agent)
    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert (first.assignee, first.customer, first.store, first.status) == (agent, case.customer, case.store, "planned")
    assert CaseCall.objects.count() == 1


def test_a_colleague_takes_over_an_open_call_unless_it_is_under_way(case, agent, store):
    colleague = AgentFactory(stores=[store], phone="+8613900000010")
    case_call, _ = case_call_open(case=case, agent=agent)
    taken, created = case_call_open(case=case, agent=colleague)
    assert taken.pk == case_call.pk and not created and taken.assignee == colleague
    case_call_start(case_call=taken, agent=colleague)
    with pytest.raises(CallNotAllowed):
        case_call_open(case=case, agent=agent)
    assert CaseCall.objects.get().assignee == colleague


def test_a_case_a_manager_reassigns_takes_its_open_call_to_the_new_assignee(case, agent, store):
    colleague = AgentFactory(stores=[store], phone="+8613900000010")
    manager = ManagerFactory(stores=[store])
    case_call, _ = case_call_open(case=case, agent=agent)
    case_reassign(case=case, assignee=colleague, manager=manager)
    case_call.refresh_from_db()
    assert case_call.assignee == colleague
    audit = AuditLog.objects.get(action="case_call.reassigned", target=f"case_call:{case_call.pk}")
    assert audit.actor == manager.user
    assert audit.data == {"from_agent_id": agent.pk, "to_agent_id": colleague.pk, "why": "case_reassigned"}


def test_a_call_under_way_stays_with_its_agent_when_the_case_is_reassigned(case, agent, store):
    colleague = AgentFactory(stores=[store], phone="+8613900000010")
    case_call, _ = case_call_open(case=case, agent=agent)
    case_call_start(case_call=case_call, agent=agent)
    case_reassign(case=case, assignee=colleague, manager=ManagerFactory(stores=[store]))
    assert CaseCall.objects.get().assignee == agent
    assert not AuditLog.objects.filter(action="case_call.reassigned").exists()


def test_only_agents_serving_the_store_and_only_open_cases(case, agent):
    with pytest.raises(PermissionDenied):
        case_call_open(case=case, agent=AgentFactory(stores=[StoreFactory()]))
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, root_cause="other", closed_at=NOW)
    with pytest.raises(CaseClosed):
        case_call_open(case=case, agent=agent)
    assert not CaseCall.objects.exists()


def test_click_to_call_rings_the_agent_then_bridges_the_customer_once(case, agent):
    case_call, _ = case_call_open(case=case, agent=agent)
    call = case_call_start(case_call=case_call, agent=agent)
    (placed,) = InMemoryBackend.calls
    assert placed["call"].to == agent.phone and placed["customer_phone"] == case.customer.phone
    assert placed["twiml_url"].endswith(f"/twilio/case-calls/{case_call.pk}/bridge")
    assert (call.case_call, call.followup, call.status) == (case_call, None, Call.Status.QUEUED)
    case_call.refresh_from_db()
    assert case_call.status == "in_progress"
    with pytest.raises(CallNotAllowed):  # a double click while it rings
        case_call_start(case_call=case_call, agent=agent)
    assert Call.objects.count() == 1 and len(InMemoryBackend.calls) == 1


def test_a_customer_who_declined_calls_is_not_dialled(case, agent):
    Customer.objects.filter(pk=case.customer_id).update(contact_preference="no_calls")
    case_call, _ = case_call_open(case=case, agent=agent)
    with pytest.raises(CallNotAllowed):
        case_call_start(case_call=case_call, agent=agent)
    assert InMemoryBackend.calls == []


def test_a_reached_call_lands_on_the_timeline_and_stops_the_first_response_clock(case, agent):
    case_call, _ = case_call_open(case=case, agent=agent)
    call = case_call_start(case_call=case_call, agent=agent)
    attempt = _reach(case_call, agent, note="道歉,客户接受")
    event = case.events.get(kind=CaseEvent.Kind.CALL)
    assert event.actor == agent.user and event.message == "道歉,客户接受"
    assert event.data == {
        "outcome": "reached",
        "attempt": 1,
        "case_call": case_call.pk,
        "call": call.provider_id,
        "call_status": call.status,
    }
    case.refresh_from_db()
    case_call.refresh_from_db()
    assert case.first_response_at == NOW
    assert (case_call.status, case_call.outcome, case_call.attempts) == ("done", "reached", 1)
    assert (attempt.case_call, attempt.followup, attempt.case, attempt.seq) == (case_call, None, case, 1)


def test_no_answer_is_on_the_timeline_without_stopping_the_clock_and_allows_another_try(case, agent):
    case_call, _ = case_call_open(case=case, agent=agent)
    _reach(case_call, agent, outcome="no_answer")
    case.refresh_from_db()
    case_call.refresh_from_db()
    assert case.events.filter(kind=CaseEvent.Kind.CALL_ATTEMPT).count() == 1
    assert case.first_response_at is None
    assert (case_call.status, case_call.attempts) == ("planned", 1)
    _reach(case_call, agent, outcome="no_answer", seq=2)
    _reach(case_call, agent, outcome="no_answer", seq=3)  # the store's default maximum is 3
    case_call.refresh_from_db()
    assert case_call.status == "done"
    with pytest.raises(CaseCallClosed):
        case_call_start(case_call=case_call, agent=agent)
    fresh, created = case_call_open(case=case, agent=agent)  # the case page can start a new round
    assert created and fresh.pk != case_call.pk


def test_asked_not_to_be_called_is_kept_on_the_customer(case, agent):
    case_call, _ = case_call_open(case=case, agent=agent)
    _reach(case_call, agent, outcome="do_not_call")
    assert Customer.objects.get(pk=case.customer_id).contact_preference == "no_calls"


def test_one_attempt_cannot_be_logged_twice_and_outcomes_are_checked(case, agent):
    case_call, _ = case_call_open(case=case, agent=agent)
    with pytest.raises(InvalidInput):
        _reach(case_call, agent, outcome="satisfied")  # an evening outcome, not a case call's
    _reach(case_call, agent, outcome="no_answer")
    with pytest.raises(FollowUpChanged):
        _reach(case_call, agent, outcome="no_answer", seq=1)  # the double click
    assert CallAttempt.objects.filter(case_call=case_call).count() == 1


def test_only_the_agent_on_the_call_or_a_manager_of_the_store_logs_it(case, agent, store):
    case_call, _ = case_call_open(case=case, agent=agent)
    with pytest.raises(CaseCallNotFound):
        _reach(case_call, AgentFactory(stores=[store]))
    with pytest.raises(CaseCallNotFound):
        _reach(case_call, ManagerFactory(stores=[StoreFactory()]))
    _reach(case_call, ManagerFactory(stores=[store]))
    assert CaseCall.objects.get().status == "done"


def test_case_calls_are_not_in_the_evening_queue_or_its_capacity(case, agent, store):
    evening = FollowUpFactory(
        order__customer__store=store,
        assignee=agent,
        window_start=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        window_end=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
    )
    case_call, _ = case_call_open(case=case, agent=agent)
    case_call_start(case_call=case_call, agent=agent)
    queue = queue_tonight(user=agent.user, stores=[store], filters=QueueFilters(), is_manager=False, agent=agent)
    assert [row.pk for row in queue.rows] == [evening.pk] and (queue.left, queue.total) == (1, 1)
    assert (
        CallCapacity(store_ids={store.pk}).loads((evening.window_start, evening.window_end))[(store.pk, agent.pk)] == 1
    )
    call_start(followup=evening, agent=agent)  # the evening call is not blocked by the case call


def _signed_post(client, path, params):
    signature = RequestValidator("tok").compute_signature(f"https://crm.example.com{path}", params)
    return client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"x-twilio-signature": signature},
    )


def test_the_provider_reports_and_bridges_a_case_call(client, settings, case, agent):
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "tok", "https://crm.example.com"
    case_call, _ = case_call_open(case=case, agent=agent)
    call = case_call_start(case_call=case_call, agent=agent)
    twiml = _signed_post(client, f"/twilio/case-calls/{case_call.pk}/bridge", {"CallSid": call.provider_id}).text
    assert f"<Number>{case.customer.phone}</Number>" in twiml
    status = {"CallSid": call.provider_id, "CallStatus": "completed", "CallDuration": "42"}
    assert _signed_post(client, f"/twilio/calls/{case_call.pk}/status", status).status_code == 204  # wrong kind
    call.refresh_from_db()
    assert call.status == Call.Status.QUEUED
    assert _signed_post(client, f"/twilio/case-calls/{case_call.pk}/status", status).status_code == 204
    call.refresh_from_db()
    assert (call.status, call.duration_seconds) == (Call.Status.COMPLETED, 42)
    unsigned = client.post(f"/twilio/case-calls/{case_call.pk}/status", status)
    assert unsigned.status_code == 403


@pytest.mark.parametrize("duration", ["²", "9" * 11, "-5", "4.2"])
def test_a_duration_that_is_no_storable_count_of_seconds_is_unknown(client, settings, case, agent, duration):
    # "²" passed str.isdigit() and failed int(), eleven nines overflowed the column: both were 500s.
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "tok", "https://crm.example.com"
    case_call, _ = case_call_open(case=case, agent=agent)
    call = case_call_start(case_call=case_call, agent=agent)
    status = {"CallSid": call.provider_id, "CallStatus": "completed", "CallDuration": duration}

    assert _signed_post(client, f"/twilio/case-calls/{case_call.pk}/status", status).status_code == 204

    call.refresh_from_db()
    assert (call.status, call.duration_seconds) == (Call.Status.COMPLETED, None)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_open_one_case_call_and_place_one_call(case, agent):
    barrier, opened, placed = threading.Barrier(2), [], []

    def click():
        barrier.wait()
        try:
            case_call, _created = case_call_open(case=case, agent=agent)
            opened.append(case_call.pk)
            barrier.wait()
            try:
                placed.append(case_call_start(case_call=case_call, agent=agent).pk)
            except CallNotAllowed:
                placed.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(opened)) == 1 and CaseCall.objects.count() == 1
    assert placed.count("refused") == 1 and Call.objects.count() == 1 and len(InMemoryBackend.calls) == 1
