"""Waiting on the customer (crm.services.waiting, ADR 0034): the resolution clock pauses while we wait for the
customer's answer, and runs again, later by the service time paused, when they answer, the agent resumes, or the
store's longest wait has passed. Times are Shanghai's, service hours 09:00-21:00 (the defaults)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.errors import CaseClosed, InvalidInput, InvalidTransition
from crm.models import AuditLog, Case, CaseEvent, CasePolicy
from crm.selectors.cases import open_cases_count, overdue_cases_count
from crm.services.cases import case_add_event, case_close, case_open, remedy_propose
from crm.services.sla import case_sla_status, cases_escalate_breached
from crm.services.stores import store_timezone_change
from crm.services.waiting import case_resume, case_wait, cases_resume_for_customer, cases_resume_waits_due
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db

MON_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
MON_11 = MON_10 + timedelta(hours=1)
WED_11 = MON_11 + timedelta(days=2)


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


def _call_case(store, agent, *, at=MON_10) -> Case:
    """A complaint from a call (the call is its first response); normal group: 36 working hours to resolve."""
    with time_machine.travel(at, tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, assignee=agent)
    return case


def _wait(case, agent, asked="请拍一张外盒破损的照片", at=MON_11) -> Case:
    with time_machine.travel(at, tick=False):
        return case_wait(case=case, actor=agent.user, asked=asked)


def test_the_resolution_deadline_moves_later_by_the_service_time_the_case_waited(store, agent):
    case = _call_case(store, agent)
    # Mon 10:00 + 36 h of service time: Mon 11 h, Tue 12 h, Wed 12 h, Thu 1 h -> Thu 10:00.
    assert case.resolution_due == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)

    case = _wait(case, agent)
    assert case.status == Case.Status.AWAITING_CUSTOMER and case.is_open
    assert case.waiting_until == MON_11 + timedelta(days=3)  # the default longest wait, same local time
    with time_machine.travel(WED_11, tick=False):
        case = case_resume(case=case, actor=agent.user, note="顾客在旺旺发来了照片")

    # Paused Mon 11-21 (10 h), Tue (12 h), Wed 9-11 (2 h) = 24 h; Thu 10:00 + 24 h -> Thu 11 h, Fri 12 h, Sat 1 h.
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.resolution_due == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert case.resolution_paused == timedelta(hours=24)
    assert (case.waiting_since, case.waiting_until, case.waiting_for) == (None, None, "")
    waited, resumed = case.events.filter(kind__in=["awaiting_customer", "resumed"]).order_by("at")
    assert (waited.actor, waited.message, waited.data) == (agent.user, "请拍一张外盒破损的照片", {"max_wait_days": 3})
    assert (resumed.actor, resumed.message) == (agent.user, "顾客在旺旺发来了照片")
    assert resumed.data == {"resumed": "agent", "waited": 48 * 60, "paused": 24 * 60}
    assert list(AuditLog.objects.filter(store=store).values_list("action", flat=True).order_by("at", "id")) == [
        "case_waiting",
        "case_resumed",
    ]


def test_a_wait_outside_service_hours_moves_the_deadline_by_nothing(store, agent):
    case = _call_case(store, agent)
    before = case.resolution_due
    evening = MON_10 + timedelta(hours=11, minutes=30)  # 21:30, after closing
    _wait(case, agent, at=evening)
    with time_machine.travel(evening + timedelta(hours=10), tick=False):  # 07:30 the next morning
        case = case_resume(case=case, actor=agent.user)
    assert case.resolution_due == before and case.resolution_paused == timedelta(0)


def test_the_escalation_sweep_never_escalates_a_waiting_case_for_its_resolution(store, agent):
    ManagerFactory(stores=[store])
    case = _wait(_call_case(store, agent), agent)
    late = case.resolution_due + timedelta(hours=1)  # Thu 11:00: the old deadline has passed, the case still waits
    CasePolicy.objects.create(store=store, max_wait_days=10)
    case.waiting_until = late + timedelta(days=5)
    Case.objects.filter(pk=case.pk).update(waiting_until=case.waiting_until)

    assert cases_escalate_breached(now=late) == []
    assert overdue_cases_count(user=agent.user, stores=[store], now=late) == 0
    assert open_cases_count(user=agent.user, stores=[store]) == 1  # still an open case
    with time_machine.travel(late, tick=False):
        case.refresh_from_db()
        assert case.next_due is None and case_sla_status(case=case).deadline == "paused"
        case_resume(case=case, actor=agent.user)
    case.refresh_from_db()
    assert case.resolution_due > late and cases_escalate_breached(now=late) == []
    assert not case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()


def test_a_case_waits_only_once_the_customer_was_answered(store, agent):
    with time_machine.travel(MON_10, tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
    with pytest.raises(InvalidTransition, match="Answer the customer first"):
        _wait(case, agent)
    with time_machine.travel(MON_10 + timedelta(minutes=30), tick=False):
        case_add_event(case=case, kind=CaseEvent.Kind.CALL, actor=agent.user)
    assert _wait(case, agent).status == Case.Status.AWAITING_CUSTOMER


def test_waiting_on_a_closed_case_or_without_saying_what_was_asked_is_refused(store, agent):
    case = _call_case(store, agent)
    with pytest.raises(InvalidInput, match="what you asked") as empty:
        _wait(case, agent, asked="  ")
    assert empty.value.field == "asked"
    with pytest.raises(InvalidInput, match="at most 500"):
        _wait(case, agent, asked="照" * 501)
    case_close(case=case, root_cause="supplier_defect", actor=agent.user)
    with pytest.raises(CaseClosed):
        _wait(case, agent)
    with pytest.raises(CaseClosed):
        case_resume(case=case, actor=agent.user)
    assert not case.events.filter(kind="awaiting_customer").exists()


def test_a_wait_sent_twice_is_written_once_and_another_ask_meanwhile_is_refused(store, agent):
    case = _call_case(store, agent)
    _wait(case, agent)
    _wait(case, agent)  # a double click
    with pytest.raises(InvalidTransition, match="already waits on the customer since 11-23 11:00"):
        _wait(case, agent, asked="请提供新的收货地址")
    assert case.events.filter(kind="awaiting_customer").count() == 1


def test_resuming_a_case_that_is_not_waiting_says_so_and_who_resumed_it(store, agent):
    case = _call_case(store, agent)
    with pytest.raises(InvalidTransition, match="not waiting on the customer: it is Open"):
        case_resume(case=case, actor=agent.user)
    _wait(case, agent)
    with time_machine.travel(WED_11, tick=False):
        cases_resume_for_customer(customer=case.customer, message="照片发您了")
        with pytest.raises(InvalidTransition, match=r"resumed 11-25 11:00 \(The customer replied by SMS\)"):
            case_resume(case=case, actor=agent.user)  # a page left open while the customer's reply came in
    assert case.events.filter(kind="resumed").count() == 1


def test_a_remedy_waiting_for_the_manager_is_our_wait_not_the_customers(store, agent):
    case = _call_case(store, agent)
    remedy_propose(case=case, agent=agent, kind="coupon", cost=store.agent_remedy_limit + 1)
    with pytest.raises(InvalidTransition, match="manager's decision"):
        _wait(case, agent)


def test_a_remedy_agreed_while_waiting_resumes_the_case(store, agent):
    case = _wait(_call_case(store, agent), agent, asked="是否接受 50 元优惠券")
    with time_machine.travel(WED_11, tick=False):
        remedy_propose(case=case, agent=agent, kind="coupon", cost=Decimal("50"))
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.resolution_paused == timedelta(hours=24)


def test_a_reached_call_resumes_a_waiting_case_and_an_unanswered_one_does_not(store, agent):
    case = _wait(_call_case(store, agent), agent)
    with time_machine.travel(WED_11, tick=False):
        case_add_event(case=case, kind=CaseEvent.Kind.CALL_ATTEMPT, actor=agent.user)
        case.refresh_from_db()
        assert case.status == Case.Status.AWAITING_CUSTOMER
        case_add_event(case=case, kind=CaseEvent.Kind.CALL, actor=agent.user)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.events.get(kind="resumed").data["resumed"] == "call"


def test_a_call_from_the_customer_joining_a_waiting_case_resumes_it(store, agent):
    case = _wait(_call_case(store, agent), agent)
    with time_machine.travel(WED_11, tick=False):
        joined, created = case_open(store=store, customer=case.customer, source=Case.Source.CALL, actor=agent.user)
    case.refresh_from_db()
    assert (joined.pk, created, case.status) == (case.pk, False, Case.Status.IN_PROGRESS)
    assert case.events.get(kind="resumed").data["resumed"] == "call"


def test_a_case_waiting_past_the_stores_longest_wait_resumes_by_itself_and_its_clock_runs(store, agent):
    CasePolicy.objects.create(store=store, max_wait_days=2)
    case = _wait(_call_case(store, agent), agent)
    assert case.waiting_until == WED_11
    assert cases_resume_waits_due(now=WED_11 - timedelta(minutes=1)) == []

    # The sweep ran late (a worker was down): the wait still counts only up to its end, Wed 11:00.
    assert cases_resume_waits_due(now=WED_11 + timedelta(hours=3)) == [case.pk]
    assert cases_resume_waits_due(now=WED_11 + timedelta(hours=3)) == []
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.resolution_paused == timedelta(hours=24)
    resumed = case.events.get(kind="resumed")
    assert (resumed.actor, resumed.data["resumed"]) == (None, "max_wait")


def test_a_more_serious_reason_joining_later_keeps_the_time_already_paused(store, agent):
    case = _wait(_call_case(store, agent), agent)
    with time_machine.travel(WED_11, tick=False):
        case_resume(case=case, actor=agent.user)
        case_open(
            store=store, customer=case.customer, source=Case.Source.REVIEW, triage_group=Case.TriageGroup.DIFFICULT
        )
    case.refresh_from_db()
    # Difficult: 24 working hours from Mon 10:00 (Wed 10:00), plus the 24 h paused -> Fri 10:00.
    assert case.triage_group == Case.TriageGroup.DIFFICULT
    assert case.resolution_due == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_closing_a_waiting_case_ends_its_wait(store, agent):
    case = _wait(_call_case(store, agent), agent)
    case_close(case=case, root_cause="supplier_defect", actor=agent.user)
    case.refresh_from_db()
    assert (case.status, case.waiting_since, case.waiting_until) == (Case.Status.CLOSED, None, None)


def test_a_wait_resumes_at_the_same_local_time_after_the_store_moves_to_another_zone(store, agent):
    case = _wait(_call_case(store, agent), agent)  # Monday 11:00 in Shanghai: resumes Thursday 11:00 (3 days)
    assert case.waiting_until == MON_11 + timedelta(days=3)
    with time_machine.travel(WED_11, tick=False):
        store_timezone_change(store=store, zone="Europe/Berlin", actor=None)
    case.refresh_from_db()
    assert case.waiting_until == datetime(2026, 11, 26, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))
