"""Times are stored aware in UTC and computed in the store's own timezone with zoneinfo."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

UTC = ZoneInfo("UTC")


def store_tz(store) -> ZoneInfo:
    return ZoneInfo(store.timezone)


def to_store_local(moment: datetime, store) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("naive datetime: every stored time must be aware")
    return moment.astimezone(store_tz(store))


def store_wall_time(store, wall: datetime) -> datetime:
    """A wall-clock time typed for the store (a form's value; any zone it carries is dropped) as an aware instant in
    the store's timezone, read as `store_local_datetime` reads one (a time the clock skips is the jump past it).
    ValueError when that instant has no date in UTC, so could not be stored: the first hours of year 1 east of
    Greenwich, the last of year 9999 west of it."""
    try:
        instant = store_local_datetime(store, wall.date(), wall.time())
    except OverflowError as exc:
        raise ValueError(f"{wall} in {store.timezone} is outside the calendar in UTC") from exc
    return instant.astimezone(store_tz(store))


def store_today(store, *, now: datetime | None = None) -> date:
    return to_store_local(now or timezone.now(), store).date()


def store_local_datetime(store, day: date, at: time) -> datetime:
    """The aware UTC instant of a wall-clock time on a day in the store's timezone (DST-safe): the first moment the
    store's clock shows it. A time the clock shows twice (clocks go back) is its first showing; a time the clock skips
    (clocks go forward: 02:30 in Berlin on the last Sunday of March) is the moment the clock jumps past it (03:00
    CEST), so hours that end at 02:30 end there, not an hour later, and hours that open at 02:30 open there."""
    zone = store_tz(store)
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # Skipped: read on the offset after the jump, the wall time falls before it; on the offset before, after it.
    return _jump(zone, before=local.replace(fold=1).astimezone(UTC), after=instant)


def _jump(zone: ZoneInfo, *, before: datetime, after: datetime) -> datetime:
    """The instant between `before` and `after` at which the clock of `zone` jumps forward to the offset it shows at
    `after` (zoneinfo says when offsets hold, not when they change: found by halving, to the second)."""
    offset = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def store_same_wall_time(store, moment: datetime, *, was_in: str) -> datetime:
    """The instant at which the store's clock shows what it showed at `moment` when its zone was `was_in`: a time
    planned in the store's local time, kept after the store moved to another zone (ADR 0029)."""
    wall = moment.astimezone(ZoneInfo(was_in))
    return store_local_datetime(store, wall.date(), wall.time())


def store_day_bounds(store, day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware UTC instants; 23 or 25 hours long across DST."""
    return store_local_datetime(store, day, time.min), store_local_datetime(store, day + timedelta(days=1), time.min)
