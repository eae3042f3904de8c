"""The arithmetic of service time (crm.services.service_time), by property: a deadline never lands in a closure or on
a day off, it is exactly its span of service time away, a store with no days off counts as it always did, a closure
recorded on or after its first day changes nothing before the moment it was recorded, a closure ended while under
way changes nothing before the moment it was ended (no deadline moves back before it), and new hours or days off
change nothing before the moment they took effect and count only by themselves after it."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.services.service_time import (
    ServiceHours,
    closed_days_of,
    closures_in_effect,
    earlier_calendars,
    service_time_after,
    working_later,
    working_time_between,
)
from crm.timezones import store_local_datetime, to_store_local

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
BASE = date(2027, 1, 1)  # the closures are drawn around the Spring Festival and across both DST changes of 2027


def _plain_after(*, store, start: datetime, span: timedelta, hours: ServiceHours) -> datetime:
    """The count before days off and closures existed: every day open, the daily hours only."""
    remaining, cursor, day = span, start, to_store_local(start, store).date()
    while True:
        opens, closes = store_local_datetime(store, day, hours.start), store_local_datetime(store, day, hours.end)
        cursor = max(cursor, opens)
        if cursor < closes:
            if remaining <= closes - cursor:
                return cursor + remaining
            remaining -= closes - cursor
        day += timedelta(days=1)


def _plain_between(*, store, start: datetime, end: datetime, hours: ServiceHours) -> timedelta:
    total, day = timedelta(0), to_store_local(start, store).date()
    while start < end:
        opens, closes = store_local_datetime(store, day, hours.start), store_local_datetime(store, day, hours.end)
        if opens >= end:
            break
        if (later := min(end, closes)) > (earlier := max(start, opens)):
            total += later - earlier
        day += timedelta(days=1)
    return total


@st.composite
def daily_hours(draw) -> tuple[time, time]:
    start = draw(st.integers(min_value=0, max_value=23 * 60 - 1))
    end = draw(st.integers(min_value=start + 1, max_value=23 * 60 + 59))
    return time(start // 60, start % 60), time(end // 60, end % 60)


def _during(store, first: date, length: int, moment: tuple[int, int] | None) -> datetime | None:
    """Some minute of some day of a closure of `length` + 1 days from `first` (None stays None)."""
    if moment is None:
        return None
    offset, minute = moment
    return store_local_datetime(store, first + timedelta(days=min(offset, length)), time(*divmod(minute, 60)))


moments = st.tuples(st.integers(min_value=0, max_value=30), st.integers(0, 24 * 60 - 1))


@st.composite
def calendars(draw, *, store, closed: bool = True) -> ServiceHours:
    """Daily hours, days off and closures around BASE, some of them recorded on or after their first day (in effect
    from that moment), some ended during them (in effect until that moment)."""
    start, end = draw(daily_hours())
    if not closed:
        return ServiceHours(start, end)
    days_off = draw(st.frozensets(st.integers(min_value=0, max_value=6), max_size=6))
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=400),
                st.integers(min_value=0, max_value=30),
                st.none() | moments,
                st.none() | moments,
            ),
            max_size=5,
        )
    )
    closures = [
        (BASE + timedelta(days=at), BASE + timedelta(days=at + length), *(
            _during(store, BASE + timedelta(days=at), length, moment) for moment in (recorded, ended)
        ))
        for at, length, recorded, ended in spans
    ]  # fmt: skip
    closed, closed_spans = closures_in_effect(store=store, closures=closures)
    return ServiceHours(start, end, days_off=days_off, closed_days=closed, closed_spans=closed_spans)


def _drawn_outside(hours: ServiceHours, first: date, last: date) -> list:
    """The calendar's closures as closures_in_effect takes them (a closed day; part of a day, recorded and ended
    that day), but for the days from `first` to `last`."""
    closures = [(day, day, None, None) for day in hours.closed_days if not first <= day <= last]
    for day, spans in hours.closed_spans.items():
        if not first <= day <= last:
            closures += [(day, day, closed_from, closed_until) for closed_from, closed_until in spans]
    return closures


instants = st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2028, 3, 1), timezones=st.just(UTC))
spans = st.integers(min_value=1, max_value=30 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))
stores = st.sampled_from(ZONES).map(lambda zone: SimpleNamespace(timezone=zone))


def store_and_calendar(*, closed: bool = True):
    return stores.flatmap(lambda store: st.tuples(st.just(store), calendars(store=store, closed=closed)))


@settings(max_examples=300, deadline=None)
@given(store_hours=store_and_calendar(), start=instants, span=spans)
def test_a_deadline_never_lands_in_a_closure_nor_on_a_day_off_and_is_its_span_of_service_time_away(
    store_hours, start, span
):
    store, hours = store_hours
    due = service_time_after(store=store, start=start, span=span, hours=hours)
    day = to_store_local(due, store).date()
    assert day.weekday() not in hours.days_off and day not in hours.closed_days, (day, sorted(hours.days_off))
    # Inside the day's hours, less where a closure began or ended that day.
    assert any(opens < due <= closes for opens, closes in hours.openings(store, day))
    assert working_time_between(store=store, start=start, end=due, hours=hours) == span


@settings(max_examples=300, deadline=None)
@given(store_hours=store_and_calendar(), start=instants, end=instants)
def test_no_service_time_passes_on_a_closed_day(store_hours, start, end):
    store, hours = store_hours
    counted = working_time_between(store=store, start=start, end=end, hours=hours)
    open_only = ServiceHours(hours.start, hours.end)
    assert counted <= _plain_between(store=store, start=start, end=end, hours=open_only)
    for day in sorted(hours.closed_days)[:3]:
        whole_day = store_local_datetime(store, day, time.min), store_local_datetime(store, day, time.max)
        assert working_time_between(store=store, start=whole_day[0], end=whole_day[1], hours=hours) == timedelta(0)
    for day, spans in sorted(hours.closed_spans.items())[:3]:
        for closed_from, closed_until in spans:
            closed_from = closed_from or store_local_datetime(store, day, time.min)
            closed_until = closed_until or store_local_datetime(store, day, time.max)
            assert working_time_between(store=store, start=closed_from, end=closed_until, hours=hours) == timedelta(0)


@settings(max_examples=300, deadline=None)
@given(
    store_hours=store_and_calendar(),
    closure=st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=30)),
    recorded=st.tuples(st.integers(min_value=-3, max_value=30), st.integers(0, 24 * 60 - 1)),
    start=instants,
    end=instants,
    span=spans,
)
def test_a_closure_changes_nothing_before_the_moment_it_was_recorded(store_hours, closure, recorded, start, end, span):
    """The service time worked before a closure was recorded stays worked, whichever day of it (or before it) it was
    recorded on; a deadline that fell before that moment stays where it was."""
    store, hours = store_hours
    first = BASE + timedelta(days=closure[0])
    last = first + timedelta(days=closure[1])
    offset, minute = recorded
    recorded_at = store_local_datetime(
        store, first + timedelta(days=min(offset, closure[1])), time(*divmod(minute, 60))
    )
    spans_drawn = _drawn_outside(hours, first, last)
    before = ServiceHours(
        hours.start, hours.end, hours.days_off, *closures_in_effect(store=store, closures=spans_drawn)
    )
    with_it = ServiceHours(
        hours.start,
        hours.end,
        hours.days_off,
        *closures_in_effect(store=store, closures=[*spans_drawn, (first, last, recorded_at, None)]),
    )
    until = min(end, recorded_at)
    assert working_time_between(store=store, start=start, end=until, hours=with_it) == working_time_between(
        store=store, start=start, end=until, hours=before
    )
    due = service_time_after(store=store, start=start, span=span, hours=before)
    if due <= recorded_at:
        assert service_time_after(store=store, start=start, span=span, hours=with_it) == due
    else:  # later, never sooner
        assert service_time_after(store=store, start=start, span=span, hours=with_it) >= due


@settings(max_examples=300, deadline=None)
@given(
    store_hours=store_and_calendar(),
    closure=st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=30)),
    recorded=st.none() | moments,
    ended=moments,
    start=instants,
    end=instants,
    span=spans,
)
def test_a_closure_ended_under_way_changes_nothing_before_the_moment_it_was_ended(
    store_hours, closure, recorded, ended, start, end, span
):
    """The days and hours a closure closed stay closed when it is ended under way (the store opens again early): the
    service time until that moment is what it was, a deadline that fell before it stays, and one after it comes no
    later, and never back before the moment it was ended."""
    store, hours = store_hours
    first = BASE + timedelta(days=closure[0])
    last = first + timedelta(days=closure[1])
    recorded_at, ended_at = _during(store, first, closure[1], recorded), _during(store, first, closure[1], ended)
    spans_drawn = _drawn_outside(hours, first, last)
    kept = ServiceHours(
        hours.start,
        hours.end,
        hours.days_off,
        *closures_in_effect(store=store, closures=[*spans_drawn, (first, last, recorded_at, None)]),
    )
    ended_early = ServiceHours(
        hours.start,
        hours.end,
        hours.days_off,
        *closures_in_effect(store=store, closures=[*spans_drawn, (first, last, recorded_at, ended_at)]),
    )
    until = min(end, ended_at)
    assert working_time_between(store=store, start=start, end=until, hours=ended_early) == working_time_between(
        store=store, start=start, end=until, hours=kept
    )
    due = service_time_after(store=store, start=start, span=span, hours=kept)
    due_now = service_time_after(store=store, start=start, span=span, hours=ended_early)
    if due <= ended_at:
        assert due_now == due
    else:  # the rest of the closure opens: sooner or the same, but after the moment it was ended
        assert ended_at < due_now <= due


@settings(max_examples=300, deadline=None)
@given(store_hours=store_and_calendar(closed=False), start=instants, end=instants, span=spans)
def test_with_no_days_off_and_no_closures_nothing_changes(store_hours, start, end, span):
    store, hours = store_hours
    assert service_time_after(store=store, start=start, span=span, hours=hours) == _plain_after(
        store=store, start=start, span=span, hours=hours
    )
    assert working_time_between(store=store, start=start, end=end, hours=hours) == _plain_between(
        store=store, start=start, end=end, hours=hours
    )


def _calendar_with(
    hours: ServiceHours, *, start: time, end: time, days_off: frozenset[int], earlier=()
) -> ServiceHours:
    """`hours`' closures, with other daily hours and days off (and the calendars kept before them)."""
    return ServiceHours(start, end, days_off, hours.closed_days, hours.closed_spans, earlier=earlier)


weekly_days_off = st.frozensets(st.integers(min_value=0, max_value=6), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    store_hours=store_and_calendar(),
    new_hours=daily_hours(),
    new_days_off=weekly_days_off,
    changed_at=instants,
    start=instants,
    end=instants,
    span=spans,
)
def test_new_hours_or_days_off_change_nothing_before_the_moment_they_took_effect(
    store_hours, new_hours, new_days_off, changed_at, start, end, span
):
    """The calendar in force at each moment counts: up to the change the store's old hours and days off, from it
    the new ones alone, so the service time before it is what it was, a deadline that fell before it stays, and
    the time after it is what the new calendar alone would count."""
    store, kept = store_hours
    new_only = _calendar_with(kept, start=new_hours[0], end=new_hours[1], days_off=new_days_off)
    changed = _calendar_with(
        kept,
        start=new_hours[0],
        end=new_hours[1],
        days_off=new_days_off,
        earlier=earlier_calendars(store=store, calendars=[(kept.start, kept.end, kept.days_off, changed_at)]),
    )
    until = min(end, changed_at)
    assert working_time_between(store=store, start=start, end=until, hours=changed) == working_time_between(
        store=store, start=start, end=until, hours=kept
    )
    since = max(start, changed_at)
    assert working_time_between(store=store, start=since, end=end, hours=changed) == working_time_between(
        store=store, start=since, end=end, hours=new_only
    )
    due = service_time_after(store=store, start=start, span=span, hours=kept)
    due_now = service_time_after(store=store, start=start, span=span, hours=changed)
    if due <= changed_at:
        assert due_now == due
    else:
        assert due_now > changed_at or start >= changed_at
    if start >= changed_at:
        assert due_now == service_time_after(store=store, start=start, span=span, hours=new_only)
    # Still a moment the store serves, exactly its span of service time away.
    day = to_store_local(due_now, store).date()
    assert any(opens < due_now <= closes for opens, closes in changed.openings(store, day))
    assert working_time_between(store=store, start=start, end=due_now, hours=changed) == span


@settings(max_examples=200, deadline=None)
@given(
    store_hours=store_and_calendar(),
    kept=st.lists(st.tuples(daily_hours(), weekly_days_off, instants), max_size=4),
    start=instants,
    middle=instants,
    end=instants,
)
def test_service_time_over_several_changes_adds_up_at_any_moment(store_hours, kept, start, middle, end):
    """Several calendars one after another (changed on the same day, or the same moment, too): the service time of a
    span is the sum of its parts, whatever moment splits it."""
    store, hours = store_hours
    changed = _calendar_with(
        hours,
        start=hours.start,
        end=hours.end,
        days_off=hours.days_off,
        earlier=earlier_calendars(
            store=store, calendars=[(daily[0], daily[1], days_off, until) for daily, days_off, until in kept]
        ),
    )
    start, middle, end = sorted((start, middle, end))
    assert working_time_between(store=store, start=start, end=end, hours=changed) == working_time_between(
        store=store, start=start, end=middle, hours=changed
    ) + working_time_between(store=store, start=middle, end=end, hours=changed)


def test_the_spring_festival_week_and_sundays_are_skipped():
    shanghai = SimpleNamespace(timezone="Asia/Shanghai")
    festival = closed_days_of([(date(2027, 2, 5), date(2027, 2, 11))])  # Friday to Thursday
    hours = ServiceHours(time(9), time(21), days_off=frozenset({6}), closed_days=festival)
    thursday_evening = datetime(2027, 2, 4, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai: one hour left that day
    due = service_time_after(store=shanghai, start=thursday_evening, span=timedelta(hours=4), hours=hours)
    assert due == datetime(2027, 2, 12, 4, 0, tzinfo=UTC)  # Friday 12 Feb, 12:00: three hours after it reopens
    # Opened in the closure: the clock starts when the store opens.
    opened_on_new_year = datetime(2027, 2, 6, 2, 0, tzinfo=UTC)
    assert service_time_after(store=shanghai, start=opened_on_new_year, span=timedelta(hours=1), hours=hours) == (
        datetime(2027, 2, 12, 2, 0, tzinfo=UTC)
    )
    # A deadline moved later by an hour from Saturday's closing skips Sunday.
    saturday_closing = datetime(2027, 2, 13, 13, 0, tzinfo=UTC)
    assert working_later(store=shanghai, moment=saturday_closing, by=timedelta(hours=1), hours=hours) == datetime(
        2027, 2, 15, 2, 0, tzinfo=UTC
    )


def test_a_closure_recorded_on_its_first_day_leaves_that_mornings_hours_worked():
    shanghai = SimpleNamespace(timezone="Asia/Shanghai")
    recorded_at = datetime(2027, 2, 4, 3, 0, tzinfo=UTC)  # Thursday the 4th, 11:00 in Shanghai
    for first in (date(2027, 2, 4), date(2027, 2, 3)):  # starting today, or under way since yesterday
        closed, closed_spans = closures_in_effect(
            store=shanghai, closures=[(first, date(2027, 2, 11), recorded_at, None)]
        )
        hours = ServiceHours(time(9), time(21), closed_days=closed, closed_spans=closed_spans)
        opened = datetime(2027, 2, 4, 1, 0, tzinfo=UTC)  # 09:00
        assert working_time_between(store=shanghai, start=opened, end=recorded_at, hours=hours) == timedelta(hours=2)
        # Four hours: two worked before the closure, two from Friday the 12th's opening.
        assert service_time_after(store=shanghai, start=opened, span=timedelta(hours=4), hours=hours) == datetime(
            2027, 2, 12, 3, 0, tzinfo=UTC
        )
    # Recorded ahead of its first day: every day of it closed whole.
    closed, closed_spans = closures_in_effect(
        store=shanghai, closures=[(date(2027, 2, 5), date(2027, 2, 11), recorded_at, None)]
    )
    assert closed == closed_days_of([(date(2027, 2, 5), date(2027, 2, 11))]) and not closed_spans


def test_a_closure_ended_on_the_day_it_was_recorded_closes_only_the_hours_between():
    shanghai = SimpleNamespace(timezone="Asia/Shanghai")
    recorded_at = datetime(2027, 2, 4, 3, 0, tzinfo=UTC)  # Thursday the 4th, 11:00 in Shanghai
    ended_at = datetime(2027, 2, 4, 6, 0, tzinfo=UTC)  # 14:00: the store opened again
    closed, closed_spans = closures_in_effect(
        store=shanghai, closures=[(date(2027, 2, 4), date(2027, 2, 11), recorded_at, ended_at)]
    )
    hours = ServiceHours(time(9), time(21), closed_days=closed, closed_spans=closed_spans)
    assert not closed and hours.openings(shanghai, date(2027, 2, 4)) == [
        (datetime(2027, 2, 4, 1, 0, tzinfo=UTC), recorded_at),
        (ended_at, datetime(2027, 2, 4, 13, 0, tzinfo=UTC)),
    ]
    opened = datetime(2027, 2, 4, 1, 0, tzinfo=UTC)  # 09:00: two hours, then three closed, then seven
    assert working_time_between(store=shanghai, start=opened, end=ended_at, hours=hours) == timedelta(hours=2)
    assert service_time_after(store=shanghai, start=opened, span=timedelta(hours=3), hours=hours) == datetime(
        2027, 2, 4, 7, 0, tzinfo=UTC
    )
    # Ended before it took effect (removed the day it was recorded for, before the moment it was): nothing closed.
    assert closures_in_effect(
        store=shanghai, closures=[(date(2027, 2, 4), date(2027, 2, 11), ended_at, recorded_at)]
    ) == (frozenset(), {})


def test_a_week_with_no_open_day_is_refused_rather_than_counted_for_ever():
    with pytest.raises(ValueError, match="at least one day"):
        ServiceHours(time(9), time(21), days_off=frozenset(range(7)))
