"""Service time: the arithmetic every SLA deadline is counted with (ADR 0006, 0035), in one place.

A store serves inside its daily service hours, in its own timezone, on the days it is open: not on its weekly days
off, not on the days of its dated closures (a holiday, the Spring Festival week). Days are the store's local days
(zoneinfo), so a deadline carries over midnight, and over a closure, into the next opening, and a day with a DST
change is as long as it really is. A closure recorded on or after its first day closes the store from the moment it
was recorded, not from that day's opening: the service time already worked that day stays worked (`closed_from`).
Nothing here reads the database: `crm.services.sla.service_hours_for` loads a store's hours.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from crm.timezones import store_local_datetime, to_store_local

WEEK = 7


@dataclass(frozen=True)
class ServiceHours:
    """When a store serves: from `start` to `end` each day it is open. `days_off` are weekdays (Monday = 0, as
    `date.weekday()`), `closed_days` the local dates of its closures, `closed_from` the local dates a closure began on
    during the day (it was recorded then), each with the instant the store closed. At least one weekday is open, so
    every count ends."""

    start: time
    end: time
    days_off: frozenset[int] = frozenset()
    closed_days: frozenset[date] = frozenset()
    closed_from: Mapping[date, datetime] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("service hours must end after they start")
        if len(set(self.days_off) & set(range(WEEK))) >= WEEK:
            raise ValueError("a store is open on at least one day of the week")

    def open_on(self, day: date) -> bool:
        """Whether the store serves at all that day (a day a closure began on serves until it did)."""
        return day.weekday() not in self.days_off and day not in self.closed_days

    def opening(self, store, day: date) -> tuple[datetime, datetime]:
        """When the store serves on `day`, an open day: its hours, cut short where a closure began during them (the
        span is empty when it began before they opened)."""
        opens, closes = store_local_datetime(store, day, self.start), store_local_datetime(store, day, self.end)
        if day in self.closed_from:
            closes = min(closes, self.closed_from[day])
        return opens, closes


def closed_days_of(closures: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every local date of the closures, each given as (first day, last day), both closed."""
    days: set[date] = set()
    for first, last in closures:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(days)


def closures_in_effect(
    *, store, closures: Iterable[tuple[date, date, datetime | None]]
) -> tuple[frozenset[date], dict[date, datetime]]:
    """(closed days, {day: closed from}) of the closures, each given as (first day, last day, recorded at). A closure
    takes effect when it is recorded: one recorded on or after its first day leaves the days before the recording
    open and closes the day of the recording from that instant (ADR 0035); one recorded before its first day, or
    with no recording time (kept before it was), closes its days whole."""
    whole: list[tuple[date, date]] = []
    part: dict[date, datetime] = {}
    for first, last, recorded_at in closures:
        recorded_on = to_store_local(recorded_at, store).date() if recorded_at is not None else None
        if recorded_on is None or recorded_on < first:
            whole.append((first, last))
        elif recorded_on <= last:
            part[recorded_on] = recorded_at
            whole.append((recorded_on + timedelta(days=1), last))
    return closed_days_of(span for span in whole if span[0] <= span[1]), part


def service_time_after(*, store, start: datetime, span: timedelta, hours: ServiceHours) -> datetime:
    """The instant `span` of service time after `start`. A start outside the service time (at night, on a day off,
    in a closure) counts from the next opening; a deadline that would fall in a closure lands after it."""
    remaining = span
    cursor = start
    day: date = to_store_local(start, store).date()
    while True:
        if hours.open_on(day):
            opens, closes = hours.opening(store, day)
            cursor = max(cursor, opens)
            if cursor < closes:
                if remaining <= closes - cursor:
                    return cursor + remaining
                remaining -= closes - cursor
        day += timedelta(days=1)


def working_deadline(*, store, start: datetime, minutes: int, hours: ServiceHours) -> datetime:
    """The instant `minutes` of service time after `start`."""
    return service_time_after(store=store, start=start, span=timedelta(minutes=minutes), hours=hours)


def working_later(*, store, moment: datetime, by: timedelta, hours: ServiceHours) -> datetime:
    """`moment` moved later by `by` of service time. No service time leaves it where it is: a deadline at closing
    time stays there rather than jumping to the next opening."""
    if by <= timedelta(0):
        return moment
    return service_time_after(store=store, start=moment, span=by, hours=hours)


def working_time_between(*, store, start: datetime, end: datetime, hours: ServiceHours) -> timedelta:
    """The service time between two instants: the part of [start, end) inside the store's service hours on the days
    it is open, day by day in its timezone (the same days service_time_after counts)."""
    total = timedelta(0)
    day: date = to_store_local(start, store).date()
    while start < end:
        opens, closes = hours.opening(store, day)
        if opens >= end:
            break
        if hours.open_on(day) and (later := min(end, closes)) > (earlier := max(start, opens)):
            total += later - earlier
        day += timedelta(days=1)
    return total
