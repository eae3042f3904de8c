from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from crm.models import Case, CaseEvent, CasePolicy, SlaTarget
from crm.services.cases import case_add_event, case_close, case_open, case_reopen
from crm.services.closures import store_closure_add
from crm.services.sla import case_sla_status, cases_escalate_breached
from crm.tasks import escalate_breaches
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _open_at(moment: datetime, store, **kwargs) -> Case:
    with time_machine.travel(moment, tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW, **kwargs)
    return case


def test_a_deadline_past_closing_time_carries_over_midnight_into_the_next_service_morning():
    shanghai = StoreFactory(timezone="Asia/Shanghai")
    # 20:00 in Shanghai: one working hour is left today, the other three come after 09:00 tomorrow.
    case = _open_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), shanghai, triage_group=Case.TriageGroup.NORMAL)
    assert case.first_response_due == datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 12:00 Shanghai


def test_deadlines_follow_the_store_timezone_not_utc():
    berlin, urumqi = StoreFactory(timezone="Europe/Berlin"), StoreFactory(timezone="Asia/Urumqi")
    opened = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Berlin (closed), 12:00 in Urumqi (open)
    in_berlin = _open_at(opened, berlin, triage_group=Case.TriageGroup.PRIORITY)
    in_urumqi = _open_at(opened, urumqi, triage_group=Case.TriageGroup.PRIORITY)
    assert in_berlin.first_response_due == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 + 1 h, Berlin
    assert in_urumqi.first_response_due == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_a_deadline_across_the_autumn_clock_change_counts_real_working_time():
    berlin = StoreFactory(timezone="Europe/Berlin")
    # Sat 24 Oct 2026 20:30 CEST; clocks go back that night. 30 min tonight, 30 min from 09:00 CET.
    case = _open_at(datetime(2026, 10, 24, 18, 30, tzinfo=UTC), berlin, triage_group=Case.TriageGroup.PRIORITY)
    assert case.first_response_due == datetime(2026, 10, 25, 8, 30, tzinfo=UTC)  # 09:30 CET


def test_a_closure_on_the_day_the_clocks_go_back_stops_the_clock_for_all_its_25_hours():
    berlin = StoreFactory(timezone="Europe/Berlin")
    manager = ManagerFactory(stores=[berlin])
    with time_machine.travel(datetime(2026, 10, 1, 8, 0, tzinfo=UTC), tick=False):
        store_closure_add(
            store=berlin, actor=manager.user, name="Fest", first_day=date(2026, 10, 25), last_day=date(2026, 10, 25)
        )
    # Sat 24 Oct 2026 20:30 CEST: 30 min tonight, Sunday closed, then from Monday 09:00 CET.
    case = _open_at(datetime(2026, 10, 24, 18, 30, tzinfo=UTC), berlin, triage_group=Case.TriageGroup.PRIORITY)
    assert case.first_response_due == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # 09:30 CET on Monday
    assert case.resolution_due == datetime(2026, 10, 26, 19, 30, tzinfo=UTC)  # 30 min + 11 h 30 on Monday: 20:30 CET


def test_store_targets_by_source_override_the_group_target_and_its_service_hours_apply():
    store = StoreFactory(timezone="Asia/Shanghai")
    CasePolicy.objects.create(store=store, service_start=time(8, 0), service_end=time(22, 0))
    SlaTarget.objects.create(
        store=store, triage_group="normal", source="", first_response_minutes=30, resolution_minutes=600
    )
    SlaTarget.objects.create(
        store=store, triage_group="normal", source="review", first_response_minutes=90, resolution_minutes=900
    )
    opened = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # 21:30 Shanghai: 30 working minutes left today
    review = _open_at(opened, store)
    with time_machine.travel(opened, tick=False):
        call, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL)
    assert review.first_response_due == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 next day
    assert call.first_response_due == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 the same evening
    assert review.resolution_due == datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 30 + 840 (a full day) + 30 min


def test_a_breach_escalates_to_the_store_managers_exactly_once():
    store, other = StoreFactory(), StoreFactory()
    manager, _ = ManagerFactory(stores=[store]), ManagerFactory(stores=[other])
    AgentFactory(stores=[store])
    case = _open_at(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), store, triage_group=Case.TriageGroup.PRIORITY)
    before = case.first_response_due
    assert cases_escalate_breached(now=before) == []  # due is not yet breached

    assert cases_escalate_breached(now=before + timedelta(minutes=1)) == [case.pk]
    assert cases_escalate_breached(now=before + timedelta(hours=5)) == []
    with time_machine.travel(before + timedelta(hours=6)):
        escalate_breaches()
    case.refresh_from_db()
    events = case.events.filter(kind=CaseEvent.Kind.ESCALATED)
    assert case.escalated_at == before + timedelta(minutes=1)
    assert [(e.data["breach"], e.data["managers"]) for e in events] == [("first_response", [manager.user_id])]


def test_a_timely_first_call_stops_the_first_response_clock_but_not_the_resolution_clock():
    store = StoreFactory()
    case = _open_at(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), store)
    with time_machine.travel(datetime(2026, 11, 23, 2, 30, tzinfo=UTC), tick=False):
        case_add_event(case=case, kind=CaseEvent.Kind.CALL, message="apologised")
    case.refresh_from_db()
    assert case.first_response_at == datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert cases_escalate_breached(now=case.first_response_due + timedelta(hours=1)) == []
    status = case_sla_status(case=case, now=case.first_response_due + timedelta(minutes=1))
    assert status.deadline == "resolution" and not status.breached
    late = cases_escalate_breached(now=case.resolution_due + timedelta(seconds=1))
    assert late == [case.pk]
    assert case.events.get(kind=CaseEvent.Kind.ESCALATED).data["breach"] == "resolution"


def test_a_reopened_case_gets_new_sla_clocks_and_can_escalate_again():
    store = StoreFactory()
    case = _open_at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC), store)
    assert cases_escalate_breached(now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) == [case.pk]
    case = case_close(case=case, root_cause="courier")
    with time_machine.travel(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), tick=False):
        case = case_reopen(case=case, reason="the replacement broke too")
    assert case.escalated_at is None and case.first_response_due == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert cases_escalate_breached(now=datetime(2026, 11, 24, 5, 59, tzinfo=UTC)) == []
    assert cases_escalate_breached(now=datetime(2026, 11, 24, 6, 1, tzinfo=UTC)) == [case.pk]


def test_closed_cases_are_never_escalated():
    store = StoreFactory()
    case = _open_at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC), store)
    case_close(case=case, root_cause="other")
    assert cases_escalate_breached(now=datetime(2026, 12, 20, tzinfo=UTC)) == []


def test_a_reopened_case_raised_to_a_difficult_dispute_counts_its_tighter_clocks_from_the_reopening():
    store = StoreFactory()
    case = _open_at(datetime(2026, 11, 2, 2, 0, tzinfo=UTC), store)
    case = case_close(case=case, root_cause="other")
    reopened = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, three weeks later
    with time_machine.travel(reopened, tick=False):
        case = case_reopen(case=case, reason="the replacement broke too")
        joined, created = case_open(
            store=store, customer=case.customer, source=Case.Source.REVIEW, triage_group=Case.TriageGroup.DIFFICULT
        )
    case.refresh_from_db()
    assert not created and joined.pk == case.pk and case.triage_group == Case.TriageGroup.DIFFICULT
    # Two working hours and 24 (two service days) from the reopening, not from the first opening three weeks ago.
    assert case.first_response_due == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    assert case.resolution_due == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert cases_escalate_breached(now=reopened + timedelta(minutes=1)) == []


@pytest.mark.parametrize("escalate", ["by_hand", "negotiation_failed"])
def test_a_case_escalated_before_its_deadline_still_records_the_breach_once_without_escalating_again(escalate):
    """An agent escalated the case early (or it went to the manager when negotiation failed); when its deadline
    passed, the sweep skipped it as escalated already, so its timeline never said the deadline was missed and the
    case counted as breached nowhere but the late badge."""
    from crm.services.cases import case_escalate
    from crm.services.escalation import case_negotiation_fail

    store = StoreFactory()
    case = _open_at(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), store, triage_group=Case.TriageGroup.PRIORITY)
    with time_machine.travel(datetime(2026, 11, 23, 2, 10, tzinfo=UTC), tick=False):
        if escalate == "by_hand":
            case_escalate(case=case, reason="the customer threatens a dispute")
        else:
            case_negotiation_fail(case=case, actor=None, offered=[], note="wants a full refund")
    late = case.first_response_due + timedelta(minutes=1)
    escalations = case.events.filter(kind=CaseEvent.Kind.ESCALATED).count()

    assert cases_escalate_breached(now=late) == [case.pk]
    assert cases_escalate_breached(now=late + timedelta(hours=1)) == []

    case.refresh_from_db()
    assert case.escalated_at == datetime(2026, 11, 23, 2, 10, tzinfo=UTC)  # escalated once, before the deadline
    assert case.breached_at == late
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == escalations  # not escalated again
    breach = case.events.get(kind=CaseEvent.Kind.BREACHED)
    assert (breach.at, breach.data["breach"]) == (late, "first_response")
    from django.utils import translation

    from crm.workspace import timeline

    with translation.override("zh-hans"):
        [entry] = [e for e in timeline(case=case, root_causes={}) if e.kind == CaseEvent.Kind.BREACHED]
        lines = [(line.label, line.value) for line in entry.lines]
        assert (entry.title, lines) == ("已超时", [("超时环节", "首次响应")])


def test_a_breach_the_sweep_escalates_is_one_event_and_is_recorded_as_the_breach():
    store = StoreFactory()
    case = _open_at(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), store, triage_group=Case.TriageGroup.PRIORITY)
    late = case.first_response_due + timedelta(minutes=1)
    assert cases_escalate_breached(now=late) == [case.pk]
    case.refresh_from_db()
    assert case.escalated_at == case.breached_at == late
    assert [e.kind for e in case.events.filter(kind__in=[CaseEvent.Kind.ESCALATED, CaseEvent.Kind.BREACHED])] == [
        CaseEvent.Kind.ESCALATED
    ]
    case = case_close(case=case, root_cause="courier")
    case = case_reopen(case=case, reason="the replacement broke too")
    assert case.breached_at is None  # new clocks, a new breach may be recorded
