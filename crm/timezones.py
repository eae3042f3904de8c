"""Times are stored aware in UTC and computed in the store's own timezone with zoneinfo."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def store_tz(store) -> ZoneInfo:
    return ZoneInfo(store.timezone)


def to_store_local(moment: datetime, store) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("naive datetime: every stored time must be aware")
    return moment.astimezone(store_tz(store))


def store_wall_time(store, wall: datetime) -> datetime:
    """A wall-clock time typed for the store (a form's value; any zone it carries is dropped) as an aware instant in
    the store's timezone. ValueError when that instant has no date in UTC, so could not be stored: the first hours
    of year 1 east of Greenwich, the last of year 9999 west of it."""
    local = wall.replace(tzinfo=store_tz(store))
    try:
        local.astimezone(ZoneInfo("UTC"))
    except OverflowError as exc:
        raise ValueError(f"{wall} in {store.timezone} is outside the calendar in UTC") from exc
    return local


def store_today(store, *, now: datetime | None = None) -> date:
    return to_store_local(now or timezone.now(), store).date()


def store_local_datetime(store, day: date, at: time) -> datetime:
    """The aware UTC instant of a wall-clock time on a day in the store's timezone (DST-safe)."""
    local = datetime.combine(day, at, tzinfo=store_tz(store))
    # Normalise through UTC so a wall time that does not exist (spring forward) lands on a real instant.
    return local.astimezone(ZoneInfo("UTC"))


def store_same_wall_time(store, moment: datetime, *, was_in: str) -> datetime:
    """The instant at which the store's clock shows what it showed at `moment` when its zone was `was_in`: a time
    planned in the store's local time, kept after the store moved to another zone (ADR 0029)."""
    wall = moment.astimezone(ZoneInfo(was_in))
    return store_local_datetime(store, wall.date(), wall.time())


def store_day_bounds(store, day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware UTC instants; 23 or 25 hours long across DST."""
    return store_local_datetime(store, day, time.min), store_local_datetime(store, day + timedelta(days=1), time.min)
