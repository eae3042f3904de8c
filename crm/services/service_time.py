"""Service time: the arithmetic every SLA deadline is counted with (ADR 0006, 0035), in one place.

A store serves inside its daily service hours, in its own timezone, on the days it is open: not on its weekly days
off, not on the days of its dated closures (a holiday, the Spring Festival week). Days are the store's local days
(zoneinfo), so a deadline carries over midnight, and over a closure, into the next opening, and a day with a DST
change is as long as it really is. A closure is in effect from the moment it was recorded (one recorded on or after
its first day leaves the service time worked before then worked) until the moment it was ended (one removed while
under way: the days it closed stay closed, the store is open from then on): on the days those moments fall on, only
part of the day is closed (`closed_spans`). The daily hours and weekly days off are the calendar in force at each
moment: one the store kept before it changed them (`earlier`) counts until the moment they were changed, the new one
from then on, so a day the store was open stays worked when it becomes a day off, and a day off stays closed when it
opens (ADR 0035). Nothing here reads the database: `crm.services.sla.service_hours_for` loads a store's hours.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from crm.timezones import store_local_datetime, to_store_local

WEEK = 7

# Part of a local day a closure closed: from an instant (None: the day's start) until another (None: the day's end).
Span = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class EarlierCalendar:
    """Daily hours and weekly days off a store kept until `until`, when it changed them; `until_day` is that moment's
    local date."""

    start: time
    end: time
    days_off: frozenset[int]
    until: datetime
    until_day: date


@dataclass(frozen=True)
class ServiceHours:
    """When a store serves: from `start` to `end` each day it is open. `days_off` are weekdays (Monday = 0, as
    `date.weekday()`), `closed_days` the local dates its closures closed whole, `closed_spans` the parts of the other
    days a closure closed (it was recorded, or ended, during the day). `start`, `end` and `days_off` are the calendar
    in force now; `earlier` the ones it replaced, oldest first, each in force until its `until` (the first from the
    beginning), the current one from the last `until` on. At least one weekday is open, so every count ends."""

    start: time
    end: time
    days_off: frozenset[int] = frozenset()
    closed_days: frozenset[date] = frozenset()
    closed_spans: Mapping[date, tuple[Span, ...]] = field(default_factory=dict, hash=False)
    earlier: tuple[EarlierCalendar, ...] = ()

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("service hours must end after they start")
        if len(set(self.days_off) & set(range(WEEK))) >= WEEK:
            raise ValueError("a store is open on at least one day of the week")

    def _calendars_on(self, day: date) -> list[tuple[time, time, frozenset[int], datetime | None, datetime | None]]:
        """The calendars in force on `day`, each as (start, end, days off, in force from, until): one, unless the
        store changed them that day (None: from before the day, until after it)."""
        if not self.earlier or day > self.earlier[-1].until_day:
            return [(self.start, self.end, self.days_off, None, None)]
        found = []
        since, since_day = None, None
        for calendar in self.earlier:
            if (since_day is None or since_day <= day) and day <= calendar.until_day:
                found.append((calendar.start, calendar.end, calendar.days_off, since, calendar.until))
            since, since_day = calendar.until, calendar.until_day
        if since_day is not None and since_day <= day:
            found.append((self.start, self.end, self.days_off, since, None))
        return found

    def openings(self, store, day: date) -> list[tuple[datetime, datetime]]:
        """When the store serves on `day`: the hours of the calendar in force (of each, on the day it changed), on
        a day that is no day off in it, less the parts a closure closed (none left on a closed day), earliest
        first."""
        if day in self.closed_days:
            return []
        spans = []
        for start, end, days_off, since, until in self._calendars_on(day):
            if day.weekday() in days_off:
                continue
            opens, closes = store_local_datetime(store, day, start), store_local_datetime(store, day, end)
            if since is not None:
                opens = max(opens, since)
            if until is not None:
                closes = min(closes, until)
            if opens < closes:
                spans.append((opens, closes))
        for closed_from, closed_until in self.closed_spans.get(day, ()):
            cut = []
            for opens, closes in spans:
                if closed_from is not None:
                    cut.append((opens, min(closes, closed_from)))
                if closed_until is not None:
                    cut.append((max(opens, closed_until), closes))
            spans = [(opens, closes) for opens, closes in cut if opens < closes]
        return spans


def earlier_calendars(
    *, store, calendars: Iterable[tuple[time, time, Iterable[int], datetime]]
) -> tuple[EarlierCalendar, ...]:
    """The calendars a store kept before its current one, each given as (start, end, days off, until), oldest
    first."""
    return tuple(
        EarlierCalendar(start, end, frozenset(days_off), until, to_store_local(until, store).date())
        for start, end, days_off, until in sorted(calendars, key=lambda calendar: calendar[3])
    )


def closed_days_of(closures: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every local date of the closures, each given as (first day, last day), both closed."""
    days: set[date] = set()
    for first, last in closures:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(days)


def closures_in_effect(
    *, store, closures: Iterable[tuple[date, date, datetime | None, datetime | None]]
) -> tuple[frozenset[date], dict[date, tuple[Span, ...]]]:
    """(closed days, {day: closed spans}) of the closures, each given as (first day, last day, recorded at, ended at).
    A closure is in effect from when it is recorded until it is ended (ADR 0035): one recorded on or after its first
    day leaves the days before the recording open and closes the day of the recording from that instant; one ended
    while under way closes the day it was ended until that instant and leaves the days after it open. One recorded
    before its first day, or with no recording time (kept before it was), begins with its first day; one never ended
    ends with its last."""
    whole: list[tuple[date, date]] = []
    part: dict[date, list[Span]] = defaultdict(list)
    for first, last, recorded_at, ended_at in closures:
        begins_on, begins_at = first, None
        if recorded_at is not None and (recorded_on := to_store_local(recorded_at, store).date()) >= first:
            begins_on, begins_at = recorded_on, recorded_at
        ends_on, ends_at = last, None
        if ended_at is not None and (ended_on := to_store_local(ended_at, store).date()) <= last:
            ends_on, ends_at = ended_on, ended_at
        if begins_on > ends_on or (begins_at is not None and ends_at is not None and ends_at <= begins_at):
            continue  # recorded after its last day, or ended before it took effect: it closed nothing
        if begins_on == ends_on and (begins_at is not None or ends_at is not None):
            part[begins_on].append((begins_at, ends_at))  # both instants on one day, or one of them
            continue
        if begins_at is not None:
            part[begins_on].append((begins_at, None))
            begins_on += timedelta(days=1)
        if ends_at is not None:
            part[ends_on].append((None, ends_at))
            ends_on -= timedelta(days=1)
        if begins_on <= ends_on:
            whole.append((begins_on, ends_on))
    return closed_days_of(whole), {day: tuple(spans) for day, spans in part.items()}


def service_time_after(*, store, start: datetime, span: timedelta, hours: ServiceHours) -> datetime:
    """The instant `span` of service time after `start`. A start outside the service time (at night, on a day off,
    in a closure) counts from the next opening; a deadline that would fall in a closure lands after it."""
    remaining = span
    cursor = start
    day: date = to_store_local(start, store).date()
    while True:
        for opens, closes in hours.openings(store, day):
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
        if store_local_datetime(store, day, time.min) >= end:
            break
        for opens, closes in hours.openings(store, day):
            if (later := min(end, closes)) > (earlier := max(start, opens)):
                total += later - earlier
        day += timedelta(days=1)
    return total
