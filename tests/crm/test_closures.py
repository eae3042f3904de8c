"""Days a store is closed (ADR 0035): weekly days off and dated closures, in the store's timezone. No SLA clock runs on
them: a deadline that would fall in one moves past it, a case opened in one starts counting when the store opens,
and nothing breaches (or escalates) while the store is closed. Changing them counts the open cases' deadlines still to
come again; a deadline already passed stays (ADR 0029). Times are Shanghai's, service hours 09:00-21:00."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.errors import InvalidInput, InvalidTransition, NotFound
from crm.models import AuditLog, Case, CaseEvent, StoreClosure
from crm.services.cases import case_open
from crm.services.closures import store_closure_add, store_closure_remove
from crm.services.policy import case_policy_update
from crm.services.sla import case_sla_status
from crm.services.waiting import case_wait, cases_resume_waits_due
from crm.tasks import escalate_breaches
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The Spring Festival week of 2027: Friday 5 to Thursday 11 February (New Year's Day is Saturday the 6th).
FESTIVAL = (date(2027, 2, 5), date(2027, 2, 11))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def manager(store):
    return ManagerFactory(stores=[store])


def _open(store, moment: datetime, group=Case.TriageGroup.NORMAL, source=Case.Source.REVIEW) -> Case:
    with time_machine.travel(moment, tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=source, triage_group=group)
    return case


def _days_off(store, manager, days: list[int], moment: datetime, start=time(9), end=time(21)) -> None:
    with time_machine.travel(moment, tick=False):
        case_policy_update(
            store=store, actor=manager.user, assignment="least_loaded", service_start=start, service_end=end,
            days_off=days,
        )  # fmt: skip


def _close(store, manager, moment: datetime, first=FESTIVAL[0], last=FESTIVAL[1], name="春节") -> StoreClosure:
    with time_machine.travel(moment, tick=False):
        return store_closure_add(store=store, actor=manager.user, name=name, first_day=first, last_day=last)


def test_a_case_opened_on_saturday_evening_in_a_store_closed_on_sundays_is_due_on_monday(store, manager):
    _days_off(store, manager, [6], at(1, 29, 12))
    # Saturday 20:00: one working hour left today, Sunday closed, three hours from Monday 09:00.
    case = _open(store, at(1, 30, 20))
    assert case.first_response_due == at(2, 1, 12)


def test_a_deadline_that_would_fall_in_the_festival_moves_past_it_and_nothing_escalates_meanwhile(store, manager):
    _close(store, manager, at(1, 20, 12))
    case = _open(store, at(2, 4, 19))  # Thursday 19:00: two hours before the festival, two after it
    assert case.first_response_due == at(2, 12, 11)
    # Resolution in 36 working hours: 2 on Thursday, then Friday 12, Saturday 12 and 10 on Sunday the 14th.
    assert case.resolution_due == at(2, 14, 19)

    with time_machine.travel(at(2, 8, 12), tick=False):
        escalate_breaches()
        assert not case_sla_status(case=case).breached
    case.refresh_from_db()
    assert case.escalated_at is None and not case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()
    with time_machine.travel(at(2, 12, 11, 1), tick=False):
        escalate_breaches()
    case.refresh_from_db()
    assert case.escalated_at == at(2, 12, 11, 1)


def test_a_case_opened_during_a_closure_starts_counting_when_the_store_opens(store, manager):
    _close(store, manager, at(1, 20, 12))
    case = _open(store, at(2, 7, 10), group=Case.TriageGroup.PRIORITY)  # New Year's Sunday
    assert case.first_response_due == at(2, 12, 10)
    assert case.resolution_due == at(2, 12, 21)


def test_adding_a_closure_counts_deadlines_still_to_come_again_and_a_passed_one_stays(store, manager):
    breached = _open(store, at(2, 1, 9), group=Case.TriageGroup.PRIORITY)  # due 10:00 and 21:00 on Monday
    running = _open(store, at(2, 4, 15))  # first response due Thursday 19:00, resolution Sunday the 7th, 15:00
    assert running.resolution_due == at(2, 7, 15)
    before = (breached.first_response_due, breached.resolution_due)

    _close(store, manager, at(2, 4, 20))  # Thursday evening: the manager records the festival
    breached.refresh_from_db()
    running.refresh_from_db()
    assert (breached.first_response_due, breached.resolution_due) == before
    assert running.first_response_due == at(2, 4, 19)  # already passed: the case was late by it
    assert running.resolution_due == at(2, 14, 15)  # 6 h Thursday, then Friday the 12th on
    entry = AuditLog.objects.get(action="store_closure_added")
    assert (entry.actor, entry.store, entry.target) == (manager.user, store, store.code)
    assert entry.data == {"name": "春节", "first_day": "2027-02-05", "last_day": "2027-02-11"}

    with time_machine.travel(at(2, 4, 20, 30), tick=False):
        store_closure_remove(store=store, actor=manager.user, closure_id=StoreClosure.objects.get().pk)
    running.refresh_from_db()
    assert running.resolution_due == at(2, 7, 15) and not StoreClosure.objects.exists()
    assert AuditLog.objects.get(action="store_closure_removed").data["name"] == "春节"


@pytest.mark.parametrize("first_day", [date(2027, 2, 4), date(2027, 2, 3)], ids=["from_today", "under_way"])
def test_a_closure_recorded_today_closes_the_store_from_the_moment_it_is_recorded(store, manager, first_day):
    # Thursday the 4th, 09:00: first response due 13:00, resolution Saturday 21:00 (12 h a day).
    case = _open(store, at(2, 4, 9))
    assert (case.first_response_due, case.resolution_due) == (at(2, 4, 13), at(2, 6, 21))
    # At 11:00 the manager hears the store closes now for the festival. The two hours worked this morning were
    # worked: two hours of the first response are left, and 34 of the resolution, from the 12th when it opens.
    _close(store, manager, at(2, 4, 11), first=first_day)
    case.refresh_from_db()
    assert case.first_response_due == at(2, 12, 11)
    assert case.resolution_due == at(2, 14, 19)  # 12 h on the 12th, 12 on the 13th, 10 on Sunday the 14th
    # Counted again later (new days off), the morning of the 4th still counts: the deadlines stay.
    _days_off(store, manager, [0], at(2, 8, 12))
    case.refresh_from_db()
    assert (case.first_response_due, case.resolution_due) == (at(2, 12, 11), at(2, 14, 19))
    # A case opened after the closure was recorded counts from the reopening.
    later = _open(store, at(2, 4, 12), group=Case.TriageGroup.PRIORITY)
    assert later.first_response_due == at(2, 12, 10)


def test_new_days_off_or_service_hours_count_open_deadlines_again(store, manager):
    case = _open(store, at(1, 30, 20))  # Saturday 20:00: due Sunday 12:00 while the store opens on Sundays
    assert case.first_response_due == at(1, 31, 12)
    _days_off(store, manager, [6], at(1, 30, 20, 30))
    case.refresh_from_db()
    assert case.first_response_due == at(2, 1, 12)
    entry = AuditLog.objects.filter(action="case_policy_changed").latest("at")
    assert (entry.data["before"]["days_off"], entry.data["after"]["days_off"]) == ([], [6])

    # Hours of 10:00-18:00 from 20:45: the 45 minutes worked since 20:00 stay worked, nothing is left on Saturday
    # after 20:45, Sunday is off, and the other three hours and a quarter come from Monday 10:00 (ADR 0035).
    _days_off(store, manager, [6], at(1, 30, 20, 45), start=time(10), end=time(18))
    case.refresh_from_db()
    assert case.first_response_due == at(2, 1, 13, 15)


def test_a_wait_over_the_festival_pauses_only_service_time_and_resumes_in_it_without_breaching(store, manager):
    _close(store, manager, at(1, 20, 12))
    agent = AgentFactory(stores=[store])
    case = _open(store, at(2, 4, 10), source=Case.Source.CALL)  # answered on the call that opened it
    assert case.resolution_due == at(2, 14, 10)  # Thursday 11 h, the 12th and 13th 12 h each, 1 h on the 14th
    with time_machine.travel(at(2, 4, 11), tick=False):
        case_wait(case=case, actor=agent.user, asked="请发来外箱照片")
    # The longest wait (3 days, calendar days) ends in the festival; only Thursday's 10 hours were service time.
    with time_machine.travel(at(2, 7, 11), tick=False):
        assert cases_resume_waits_due() == [case.pk]
        escalate_breaches()
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.resolution_paused == timedelta(hours=10)
    assert case.resolution_due == at(2, 14, 20) and case.escalated_at is None


@pytest.mark.parametrize(
    ("first", "last", "field", "message"),
    [
        (date(2027, 2, 11), date(2027, 2, 5), "last_day", "ends on or after its first day"),
        (date(2027, 2, 1), date(2027, 3, 10), "last_day", "at most 31 days"),
        (date(2027, 1, 1), date(2027, 1, 9), "last_day", "already over"),
        (date(2029, 2, 1), date(2029, 2, 2), "first_day", "two years"),
        (date(2027, 2, 10), date(2027, 2, 15), "first_day", "overlaps 春节 (2027-02-05 to 2027-02-11)"),
        (date(2027, 2, 1), date(2027, 2, 5), "first_day", "overlaps 春节"),
    ],
)
def test_a_closure_that_cannot_be_is_refused_with_its_field_and_nothing_is_written(
    store, manager, first, last, field, message
):
    _close(store, manager, at(1, 10, 12))
    with pytest.raises(InvalidInput) as refused:
        _close(store, manager, at(1, 10, 12), first=first, last=last, name="元宵节")
    assert refused.value.field == field and message in refused.value.message
    assert StoreClosure.objects.count() == 1 and AuditLog.objects.filter(action="store_closure_added").count() == 1


def test_a_closure_needs_a_name_and_back_to_back_closures_are_two(store, manager):
    with pytest.raises(InvalidInput) as refused:
        _close(store, manager, at(1, 10, 12), name="   ")
    assert refused.value.field == "name"
    _close(store, manager, at(1, 10, 12))
    _close(store, manager, at(1, 10, 12), first=date(2027, 2, 12), last=date(2027, 2, 12), name="  元宵  前 ")
    assert list(StoreClosure.objects.values_list("name", flat=True)) == ["春节", "元宵 前"]


@pytest.mark.parametrize(
    ("days", "message"),
    [([0, 1, 2, 3, 4, 5, 6], "at least one day a week"), ([7], "Monday to Sunday"), ([-1], "Monday to Sunday")],
)
def test_days_off_leave_a_day_open_and_name_weekdays(store, manager, days, message):
    with pytest.raises(InvalidInput) as refused:
        _days_off(store, manager, days, at(1, 10, 12))
    assert refused.value.field == "days_off" and message in refused.value.message


def test_a_closure_already_over_stays_on_record_and_another_stores_is_not_found(store, manager):
    closure = _close(store, manager, at(1, 10, 12))
    with time_machine.travel(at(2, 12, 9), tick=False), pytest.raises(InvalidTransition) as refused:
        store_closure_remove(store=store, actor=manager.user, closure_id=closure.pk)
    assert "already over" in refused.value.message
    other = StoreFactory(timezone="Asia/Shanghai")
    with time_machine.travel(at(1, 10, 12), tick=False), pytest.raises(NotFound):
        store_closure_remove(store=other, actor=manager.user, closure_id=closure.pk)
    # Under way (the store opens again early): it may go, and is kept on record as ended then.
    with time_machine.travel(at(2, 8, 9), tick=False):
        store_closure_remove(store=store, actor=manager.user, closure_id=closure.pk)
    assert StoreClosure.objects.get().ended_at == at(2, 8, 9)


def test_a_closure_ended_early_keeps_its_closed_days_closed_and_no_deadline_moves_into_the_past(store, manager):
    # The Spring Festival closure, 7 to 14 February (Sunday to Sunday), recorded in January.
    closure = _close(store, manager, at(1, 20, 12), first=date(2027, 2, 7), last=date(2027, 2, 14))
    # Thursday the 4th, 15:00, answered on the call that opened it; resolution in 36 working hours: 6 on Thursday,
    # 12 on Friday, 12 on Saturday, then 6 after the closure, on Monday the 15th.
    case = _open(store, at(2, 4, 15), source=Case.Source.CALL)
    assert case.first_response_at is not None and case.resolution_due == at(2, 15, 15)

    # Tuesday the 9th, 12:00: the store opens again early. The 7th, the 8th and this morning were closed: they stay
    # closed. The six hours left run from now: due at 18:00 today, not on the 7th as if the store had been open.
    with time_machine.travel(at(2, 9, 12), tick=False):
        store_closure_remove(store=store, actor=manager.user, closure_id=closure.pk)
        escalate_breaches()
    case.refresh_from_db()
    assert case.resolution_due == at(2, 9, 18)
    assert case.escalated_at is None and case.breached_at is None

    # Kept on record as what it was: closed from the 7th until the moment it was ended, by whom.
    closure.refresh_from_db()
    assert (closure.first_day, closure.last_day) == (date(2027, 2, 7), date(2027, 2, 14))
    assert (closure.ended_at, closure.ended_by) == (at(2, 9, 12), manager.user)
    entry = AuditLog.objects.get(action="store_closure_ended")
    assert entry.actor == manager.user
    assert entry.data == {
        "name": "春节", "first_day": "2027-02-07", "last_day": "2027-02-14", "ended_at": "2027-02-09 12:00",
    }  # fmt: skip
    assert not AuditLog.objects.filter(action="store_closure_removed").exists()

    # Counted again later (new days off), the closed days stay closed: the deadline stays.
    _days_off(store, manager, [0], at(2, 9, 13))
    case.refresh_from_db()
    assert case.resolution_due == at(2, 9, 18)
    # A case opened now counts from now.
    later = _open(store, at(2, 9, 14), group=Case.TriageGroup.PRIORITY)
    assert later.first_response_due == at(2, 9, 15)

    # It cannot be ended twice; a new closure may begin on the day it ended (from the moment it is recorded), not
    # on a day it closed.
    with time_machine.travel(at(2, 9, 15), tick=False), pytest.raises(InvalidTransition) as refused:
        store_closure_remove(store=store, actor=manager.user, closure_id=closure.pk)
    assert "ended early" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        _close(store, manager, at(2, 9, 15), first=date(2027, 2, 8), last=date(2027, 2, 14), name="又关了")
    assert refused.value.field == "first_day" and "overlaps 春节" in refused.value.message
    _close(store, manager, at(2, 9, 16), first=date(2027, 2, 9), last=date(2027, 2, 10), name="又关了")
    case.refresh_from_db()
    # Four of the six hours were worked (12:00 to 16:00 on the 9th); two are left, from the 11th's opening.
    assert case.resolution_due == at(2, 11, 11)


def test_shortening_a_closure_under_way_by_ending_it_and_adding_the_rest_keeps_its_closed_days(store, manager):
    # A closure is never edited: to shorten one under way (reopen on the 12th instead of the 15th), the manager ends
    # it and records the days still closed. The days already closed stay closed.
    closure = _close(store, manager, at(1, 20, 12), first=date(2027, 2, 7), last=date(2027, 2, 14))
    case = _open(store, at(2, 4, 15))
    with time_machine.travel(at(2, 9, 8), tick=False):  # before the day's opening: no service time between the two
        store_closure_remove(store=store, actor=manager.user, closure_id=closure.pk)
    _close(store, manager, at(2, 9, 8, 1), first=date(2027, 2, 9), last=date(2027, 2, 11), name="春节")
    case.refresh_from_db()
    assert case.resolution_due == at(2, 12, 15)  # six hours after the 12th's opening
