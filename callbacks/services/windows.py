"""When a follow-up may happen, in the store's own timezone (zoneinfo; DST-safe through crm.timezones).

Calls are made on the store's open days only: an evening call on a call day of the follow-up policy, a call task on
any day, neither on a day of the store's dated closures (`closed`, local dates: crm's closures, ADR 0035), on which
nobody works the queue. The case desk's weekly days off are not the calls' (the evening calls keep their call days).
SMS go out in the sending hours whatever the day: a care SMS needs nobody at the desk."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from callbacks.models import FollowUpPolicy
from crm.models import Store
from crm.timezones import store_local_datetime, to_store_local

# Call days are validated to be non-empty, so a week always holds an allowed day.
_DAYS_AHEAD = 8
# (timezone, day, wall time) -> UTC instant. A busy evening plans 100,000 deliveries on a handful of store
# days; the zoneinfo arithmetic is the same for all of them.
_instants: dict[tuple[str, date, time], datetime] = {}


def _at(store: Store, day: date, at: time) -> datetime:
    key = (store.timezone, day, at)
    instant = _instants.get(key)
    if instant is None:
        if len(_instants) > 50_000:
            _instants.clear()
        instant = _instants[key] = store_local_datetime(store, day, at)
    return instant


def sms_window(*, policy: FollowUpPolicy, store: Store, moment: datetime) -> tuple[datetime, datetime]:
    """[due, end of sending hours): now if inside the store's SMS hours, else the next morning's start."""
    local = to_store_local(moment, store)
    day = local.date()
    opens = _at(store, day, policy.sms_send_from)
    closes = _at(store, day, policy.sms_send_until)
    if moment < opens:
        return opens, closes
    if moment < closes:
        return moment, closes
    tomorrow = day + timedelta(days=1)
    return (
        _at(store, tomorrow, policy.sms_send_from),
        _at(store, tomorrow, policy.sms_send_until),
    )


def call_window(
    *, policy: FollowUpPolicy, store: Store, moment: datetime, closed: Collection[date]
) -> tuple[datetime, datetime]:
    """The first call window, on a call day the store is not closed (`closed`: its closures' local dates), that has
    not closed by `moment` (tonight's if still open)."""
    day = to_store_local(moment, store).date()
    # Past the last closed day a week holds every call day; a closed call day can cost a whole week (a store calling
    # on Mondays, closed one Monday), so the search runs to a week after the last closure, not a day per closed day.
    last_closed = max((d for d in closed if d >= day), default=day)
    for offset in range((last_closed - day).days + _DAYS_AHEAD):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() not in policy.call_days or candidate in closed:
            continue
        end = _at(store, candidate, policy.call_window_end)
        if end > moment:
            return _at(store, candidate, policy.call_window_start), end
    raise ValueError(f"policy of {store.code} has no call day")  # policy_validate forbids this


def next_call_window(
    *, policy: FollowUpPolicy, store: Store, window_end: datetime, closed: Collection[date]
) -> tuple[datetime, datetime]:
    return call_window(policy=policy, store=store, moment=window_end, closed=closed)


def open_day(day: date, *, closed: Collection[date]) -> date:
    """`day`, or the first day after it the store is not closed: a call task's day (tasks have no call days)."""
    while day in closed:
        day += timedelta(days=1)
    return day


def daily_window(*, store: Store, opens: time, closes: time, moment: datetime) -> tuple[datetime, datetime]:
    """Today's [opens, closes) in the store's timezone if it has not closed by `moment`, else tomorrow's."""
    day = to_store_local(moment, store).date()
    closing = _at(store, day, closes)
    if moment < closing:
        return _at(store, day, opens), closing
    tomorrow = day + timedelta(days=1)
    return _at(store, tomorrow, opens), _at(store, tomorrow, closes)
