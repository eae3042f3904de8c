"""The calendar in force at each moment counts (ADR 0035): new weekly days off or service hours count the open cases'
deadlines still to come again, the time before the change under the calendar the store kept then, the time after it
under the new one. A day the store was open stays worked when it later becomes a day off; a day it was closed stays
closed when it later opens. Times are the store's own; Shanghai's service hours are 09:00-21:00 unless set."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from crm.models import Case, CaseEvent, SlaTarget
from crm.readable.policy import earlier_calendar_text
from crm.services.cases import case_open
from crm.services.closures import store_closure_add
from crm.services.policy import case_policy_update
from crm.tasks import escalate_breaches
from tests.factories import CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")


def at(month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    """A moment of 2027 (Friday 5 March; Berlin's clocks go forward on Sunday 28 March)."""
    return datetime(2027, month, day, hour, minute, tzinfo=zone)


@pytest.fixture
def store():
    store = StoreFactory(timezone="Asia/Shanghai")
    # Resolution in 60 working hours: five days of twelve, so a case spans a weekend.
    SlaTarget.objects.create(
        store=store, triage_group=Case.TriageGroup.NORMAL, source="", first_response_minutes=60,
        resolution_minutes=60 * 60,
    )  # fmt: skip
    return store


@pytest.fixture
def manager(store):
    return ManagerFactory(stores=[store])


def _open(store, moment: datetime, group=Case.TriageGroup.NORMAL) -> Case:
    """A case opened on a call: answered at once, so only its resolution clock runs."""
    with time_machine.travel(moment, tick=False):
        case, _ = case_open(
            store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, triage_group=group
        )
    return case


def _calendar(store, manager, moment: datetime, days_off: list[int], start=time(9), end=time(21)) -> None:
    with time_machine.travel(moment, tick=False):
        case_policy_update(
            store=store, actor=manager.user, assignment="least_loaded", service_start=start, service_end=end,
            days_off=days_off,
        )  # fmt: skip


def _escalated_at(case: Case, moment: datetime) -> bool:
    with time_machine.travel(moment, tick=False):
        escalate_breaches()
    case.refresh_from_db()
    return case.escalated_at is not None


def test_a_sunday_that_becomes_a_day_off_stays_worked_for_the_cases_that_ran_through_it(store, manager):
    # Friday 5 March, 10:00: 11 h on Friday, 12 on Saturday, Sunday, Monday and Tuesday, 1 h on Wednesday the 10th.
    ran_through = _open(store, at(3, 5, 10))
    assert ran_through.resolution_due == at(3, 10, 10)
    # Tuesday the 9th, 10:00: 11 + 12 * 4 hours reach Sunday the 14th, 10:00.
    next_week = _open(store, at(3, 9, 10))
    assert next_week.resolution_due == at(3, 14, 10)

    _calendar(store, manager, at(3, 10, 9), days_off=[6])  # Wednesday, before opening: closed on Sundays from now
    ran_through.refresh_from_db()
    next_week.refresh_from_db()
    # The store was open on Sunday the 7th and the clock ran: still due at 10:00 today, not tomorrow.
    assert ran_through.resolution_due == at(3, 10, 10)
    # Sunday the 14th is a day off now: its ten hours come on Monday.
    assert next_week.resolution_due == at(3, 15, 10)
    assert not _escalated_at(ran_through, at(3, 10, 9, 59))
    assert _escalated_at(ran_through, at(3, 10, 10, 1))


def test_a_sunday_off_that_becomes_open_stays_closed_for_the_cases_it_paused(store, manager):
    _calendar(store, manager, at(3, 1, 12), days_off=[6])
    # Friday 5 March, 10:00: Friday 11 h, Saturday 12, Sunday off, Monday, Tuesday and Wednesday 12: Thursday 10:00.
    case = _open(store, at(3, 5, 10))
    assert case.resolution_due == at(3, 11, 10)

    _calendar(store, manager, at(3, 10, 12), days_off=[])  # Wednesday noon: open on Sundays from now
    case.refresh_from_db()
    # Nobody worked on Sunday the 7th: it does not make the case late retroactively (Wednesday 10:00, past already).
    assert case.resolution_due == at(3, 11, 10)
    assert not _escalated_at(case, at(3, 10, 12, 1))
    assert not case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()
    assert _escalated_at(case, at(3, 11, 10, 1))


def test_new_service_hours_mid_case_count_the_hours_before_them_as_they_were(store, manager):
    # Monday 8 March, 10:00, a normal case with the default 36 working hours: Monday 11, Tuesday and Wednesday 12,
    # Thursday 1: due Thursday 10:00.
    SlaTarget.objects.filter(store=store).delete()
    case = _open(store, at(3, 8, 10))
    assert case.resolution_due == at(3, 11, 10)

    _calendar(store, manager, at(3, 9, 12), days_off=[], start=time(10), end=time(18))  # Tuesday noon: 10:00-18:00
    case.refresh_from_db()
    # Monday 11 h and Tuesday 09:00-12:00 (3 h) were worked in the old hours; then Tuesday 12:00-18:00 (6 h),
    # Wednesday 8 and Thursday 8: due Thursday 18:00, not Friday 14:00 as if the new hours had always been kept.
    assert case.resolution_due == at(3, 11, 18)


def test_a_day_off_added_after_the_clocks_went_forward_keeps_that_sundays_real_hours_worked():
    berlin = StoreFactory(timezone="Europe/Berlin")
    manager = ManagerFactory(stores=[berlin])
    SlaTarget.objects.create(
        store=berlin, triage_group=Case.TriageGroup.NORMAL, source="", first_response_minutes=60,
        resolution_minutes=95 * 60,
    )  # fmt: skip
    _calendar(berlin, manager, at(3, 1, 12, zone=BERLIN), days_off=[], start=time(1), end=time(23))
    # Friday 26 March, 10:00 CET: Friday 13 h, Saturday 22; Sunday the 28th 01:00-23:00 is 21 real hours (02:00 is
    # 03:00 CEST); Monday 22; 17 h on Tuesday: due Tuesday 18:00 CEST.
    case = _open(berlin, at(3, 26, 10, zone=BERLIN))
    assert case.resolution_due == at(3, 30, 18, zone=BERLIN)

    _calendar(berlin, manager, at(3, 30, 12, zone=BERLIN), days_off=[6], start=time(1), end=time(23))
    case.refresh_from_db()
    # The 21 hours of that Sunday stay worked (not Wednesday 17:00 CEST, as if the store had been closed then).
    assert case.resolution_due == at(3, 30, 18, zone=BERLIN)
    # New hours of 09:00-15:00 from Tuesday 13:00 CEST: 78 h by Tuesday 01:00, 90 by 13:00 in the hours kept until
    # then, 92 by 15:00 in the new ones, and 3 more on Wednesday: 12:00 CEST.
    _calendar(berlin, manager, at(3, 30, 13, zone=BERLIN), days_off=[6], start=time(9), end=time(15))
    case.refresh_from_db()
    assert case.resolution_due == at(3, 31, 12, zone=BERLIN)


def test_a_case_opened_after_the_change_is_counted_by_the_new_calendar_only(store, manager):
    _calendar(store, manager, at(3, 1, 12), days_off=[6])
    _calendar(store, manager, at(3, 10, 9), days_off=[], start=time(10), end=time(18))  # Sundays open, 10:00-18:00
    # Wednesday 10:00: 8 h a day, Sunday the 14th included: 8 * 7 = 56 by Tuesday the 16th, 4 h on Wednesday.
    case = _open(store, at(3, 10, 10))
    assert case.resolution_due == at(3, 17, 14)
    # Counted again later (a closure in May), it stays: the old calendar had no part in it.
    with time_machine.travel(at(3, 11, 12), tick=False):
        store_closure_add(
            store=store, actor=manager.user, name="劳动节", first_day=datetime(2027, 5, 1).date(),
            last_day=datetime(2027, 5, 5).date(),
        )  # fmt: skip
    case.refresh_from_db()
    assert case.resolution_due == at(3, 17, 14)


def test_a_kept_calendar_reads_in_the_agents_language_its_end_in_the_stores_zone():
    berlin = StoreFactory.build(timezone="Europe/Berlin")
    kept = {
        "service_start": "08:30:00",
        "service_end": "17:00:00",
        "days_off": [5, 6],
        "until": "2027-03-29T06:00:00+00:00",
    }
    with translation.override("zh-hans"):
        # Berlin is on summer time by then: 06:00 UTC is 08:00 there.
        assert earlier_calendar_text(kept, store=berlin) == "08:30–17:00，休息日 周六、周日，至 2027-03-29 08:00"
    assert earlier_calendar_text({**kept, "days_off": []}, store=berlin) == (
        "08:30–17:00, no days off, until 2027-03-29 08:00"
    )
