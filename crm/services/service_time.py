"""Service time: the arithmetic every SLA deadline is counted with (ADR 0006, 0035), in one place.

A store serves inside its daily service hours, in its own timezone, on the days it is open: not on its weekly days
off, not on the days of its dated closures (a holiday, the Spring Festival week). Days are the store's local days
(zoneinfo), so a deadline carries over midnight, and over a closure, into the next opening, and a day with a DST
change is as long as it really is. Nothing here reads the database: `crm.services.sla.service_hours_for` loads a
store's hours.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from crm.timezones import store_local_datetime, to_store_local

WEEK = 7


@dataclass(frozen=True)
class ServiceHours:
    """When a store serves: from `start` to `end` each day it is open. `days_off` are weekdays (Monday = 0, as
    `date.weekday()`), `closed_days` the local dates of its closures. At least one weekday is open, so every count
    ends."""

    start: time
    end: time
    days_off: frozenset[int] = frozenset()
    closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("service hours must end after they start")
        if len(set(self.days_off) & set(range(WEEK))) >= WEEK:
            raise ValueError("a store is open on at least one day of the week")

    def open_on(self, day: date) -> bool:
        return day.weekday() not in self.days_off and day not in self.closed_days


def closed_days_of(closures: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every local date of the closures, each given as (first day, last day), both closed."""
    days: set[date] = set()
    for first, last in closures:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(days)


def _opening(store, day: date, hours: ServiceHours) -> tuple[datetime, datetime]:
    return store_local_datetime(store, day, hours.start), store_local_datetime(store, day, hours.end)


def service_time_after(*, store, start: datetime, span: timedelta, hours: ServiceHours) -> datetime:
    """The instant `span` of service time after `start`. A start outside the service time (at night, on a day off,
    in a closure) counts from the next opening; a deadline that would fall in a closure lands after it."""
    remaining = span
    cursor = start
    day: date = to_store_local(start, store).date()
    while True:
        if hours.open_on(day):
            opens, closes = _opening(store, day, hours)
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
        opens, closes = _opening(store, day, hours)
        if opens >= end:
            break
        if hours.open_on(day) and (later := min(end, closes)) > (earlier := max(start, opens)):
            total += later - earlier
        day += timedelta(days=1)
    return total
