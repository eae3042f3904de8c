"""Planned contacts follow the store's clock (ADR 0029).

A planned follow-up's window is a promise in the store's local time: "tonight between 18:00 and 19:00", "today in
the call hours", "at 20:30, as the customer asked", "09:00 tomorrow, when the SMS hours open". When the store's time
zone changes (`crm.signals.store_timezone_changed`), or its call window, call days, call hours or SMS sending hours
(`services.policy.policy_update`), or a closure is recorded or removed (`crm.signals.store_closures_changed`, ADR
0035), every follow-up still planned and still to come is placed again, in the same transaction, by the settings as
they are now:

- an evening care call (call or dedicated owner) keeps its local evening: the store's call window on the same local
  day, in the new clock; a retry keeps its later local start inside it. Once that evening's window is over, or the
  day is no longer a call day or is closed, the next open call window, where it is placed by planning's rule
  (`capacity.care_call_place`: that evening's capacity, then the store's overflow rule);
- the retry of a care call that rang unanswered that no longer fits its evening is not carried to another one: as
  when no retry fits the window at the outcome (services.outcomes), its last try was the one made, and it is closed
  (done, outcome `no_answer`, its attempts kept) with the care SMS instead (`outcomes.care_sms_instead`);
- a call task keeps its local day: the store's call hours that day (with a retry's later start), else the next
  open day's; its `contact_day`, the day it is due, moves with it;
- a call the customer asked to be called back on keeps the wall time they asked for; once that has passed, or the
  store is closed that day, the rule of its kind above;
- a care SMS waiting for the sending hours waits for the new ones, or goes at once if they are open.

What is done or under way stays as it happened: follow-ups in progress, sent, closed or suppressed, calls whose
window has ended (the missed-call sweep closes them), SMS already due (their claim asks the gate, in the store's
zone and hours as they are then). Assignees are kept while a call stays on its evening, and a care call keeps its
`contact_day`, the delivery's day, which keys the one care contact per customer and day. A care contact moved onto
a day on which its customer already has one becomes one contact with it, by planning's rule (ADR 0051,
`one_a_day.followups_hold_one_a_day`).
"""

import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q

from callbacks.models import (
    CALL_CHANNELS,
    CallAttempt,
    FollowUp,
    FollowUpChannel,
    FollowUpOutcome,
    FollowUpPolicy,
    OverflowRule,
)
from callbacks.signals import store_hours_changed
from crm.models import Customer, Store, StoreClosure
from crm.services.closures import stores_closed_days
from crm.services.locks import customers_lock
from crm.timezones import store_local_datetime, to_store_local

from .capacity import CallCapacity, Window, care_call_place, care_sms_allowed, followup_call_priority
from .one_a_day import followups_hold_one_a_day
from .outcomes import care_sms_instead
from .policy import policy_for_store
from .rows import customers_set_dedicated_owner
from .windows import call_window, sms_window

Status = FollowUp.Status
# The policy settings a planned window is computed from.
CLOCK_FIELDS = frozenset(
    {
        "call_window_start",
        "call_window_end",
        "call_days",
        "call_hours_from",
        "call_hours_until",
        "sms_send_from",
        "sms_send_until",
    }
)
_WRITTEN = ["window_start", "window_end", "contact_day", "updated_at"]
# A care call moved to another evening is placed there again, by planning's rule.
_PLACED = [*_WRITTEN, "channel", "assignee", "overflowed"]


@dataclass(frozen=True)
class Clock:
    """What a store's planned windows are computed from: its time zone (on `store`), its follow-up policy and the
    local dates of its closures (`followups_replan` reads them for the clock it places by)."""

    store: Store
    policy: FollowUpPolicy
    closed: frozenset[date] = field(default=frozenset())

    @classmethod
    def now_of(cls, store: Store) -> "Clock":
        return cls(store, policy_for_store(store=store))

    @classmethod
    def in_zone(cls, store: Store, zone: str) -> "Clock":
        """The store's clock in another time zone (the one it had, or one it would move to), with its policy as it
        is."""
        before = copy.copy(store)
        before.timezone = zone
        return cls(before, policy_for_store(store=store))

    def wall(self, moment: datetime) -> tuple[date, time]:
        local = to_store_local(moment, self.store)
        return local.date(), local.time()

    def at(self, day: date, wall: time) -> datetime:
        return store_local_datetime(self.store, day, wall)


def _evening(row: FollowUp, before: Clock, after: Clock, now: datetime) -> tuple[datetime, datetime]:
    """A care call's window: its local evening in the new clock, a retry's later start kept, else the next one."""
    day, wall = before.wall(row.window_start)
    midnight = after.at(day, time.min)
    start, end = call_window(policy=after.policy, store=after.store, moment=max(now, midnight), closed=after.closed)
    if after.wall(start)[0] == day and wall > before.policy.call_window_start:  # a retry later that evening
        start = max(start, after.at(day, wall))
        if start >= end:
            start, end = call_window(policy=after.policy, store=after.store, moment=end, closed=after.closed)
    return start, end


def _daytime(row: FollowUp, before: Clock, after: Clock, now: datetime) -> tuple[datetime, datetime, date]:
    """A call task's window: the call hours of its local day in the new clock (a retry's later start kept), else
    of the next day the store is open whose hours are not over."""
    day, wall = before.wall(row.window_start)
    retry = wall > before.policy.call_hours_from
    while True:
        if day not in after.closed:
            start = after.at(day, after.policy.call_hours_from)
            end = after.at(day, after.policy.call_hours_until)
            if retry:
                start = max(start, after.at(day, wall))
            if end > now and start < end:
                return start, end, day
        retry = False
        day += timedelta(days=1)


def _asked_for(row: FollowUp, before: Clock, after: Clock, now: datetime) -> tuple[datetime, datetime] | None:
    """A call back's window at the wall times the customer asked for, in the new clock; None once it has passed, or
    when the store is closed that day."""
    if before.wall(row.window_start)[0] in after.closed:
        return None
    start, end = (after.at(*before.wall(moment)) for moment in (row.window_start, row.window_end))
    return (start, end) if end > now and start < end else None


def _place(row: FollowUp, before: Clock, after: Clock, now: datetime, *, called_back: bool) -> Window | None:
    """Place the row by the new clock. A care call that leaves its local evening (closed now, no longer a call day,
    over in the new zone) is not placed: the evening it moves to is returned, for `_to_other_evenings`."""
    if row.channel not in CALL_CHANNELS:
        row.window_start, row.window_end = sms_window(policy=after.policy, store=after.store, moment=now)
        return None
    if called_back and (window := _asked_for(row, before, after, now)) is not None:
        row.window_start, row.window_end = window
        if row.purpose != FollowUp.Purpose.CARE:
            row.contact_day = after.wall(row.window_start)[0]
        return None
    if row.purpose == FollowUp.Purpose.CARE:
        evening = _evening(row, before, after, now)
        if after.wall(evening[0])[0] != before.wall(row.window_start)[0]:
            return evening
        row.window_start, row.window_end = evening
    else:
        row.window_start, row.window_end, row.contact_day = _daytime(row, before, after, now)
    return None


def _to_other_evenings(moves: list[tuple[FollowUp, Window]], *, after: Clock, now: datetime) -> None:
    """Care calls that leave their evening are placed on the one they move to by planning's rule
    (`capacity.care_call_place`, as a handover places them, ADR 0031): a dedicated customer's call to their owner, any
    other to the least filled on-shift agent, if they have room that evening; else flagged `overflowed` and moved by
    the store's overflow rule (a care SMS instead, when the gate would send one; else the next open evening).
    Dedicated customers and larger orders get an evening's last room first."""
    store, policy = after.store, after.policy
    dedicated = sorted({row.customer_id for row, _ in moves if row.channel == FollowUpChannel.DEDICATED})
    # Locked (followups_replan took them first, as planning and a handover do), so an owner is never chosen twice.
    owners = dict(
        Customer.objects.select_for_update(no_key=True)
        .filter(id__in=dedicated)
        .order_by("id")
        .values_list("id", "dedicated_owner_id")
    )
    texts = set()
    if policy.overflow_rule == OverflowRule.SMS_INSTEAD:
        texts = care_sms_allowed(store=store, customer_ids={row.customer_id for row, _ in moves})
    capacity = CallCapacity(store_ids={store.pk})
    moves.sort(key=lambda move: (*followup_call_priority(followup=move[0], policy=policy), move[0].window_start))
    new_owners: dict[int, int] = {}
    for row, evening in moves:
        owner = owners.get(row.customer_id) if row.channel == FollowUpChannel.DEDICATED else None
        placed = care_call_place(
            capacity, store=store, policy=policy, evening=evening, channel=row.channel, owner_id=owner,
            sms_allowed=row.customer_id in texts, since=now, closed=after.closed,
        )  # fmt: skip
        if placed.owner_id not in (None, owner):
            owners[row.customer_id] = new_owners[row.customer_id] = placed.owner_id
        row.channel, row.assignee_id = placed.channel, placed.assignee_id
        row.window_start, row.window_end = placed.window
        row.overflowed = row.overflowed or placed.overflowed
        row.updated_at = now
    customers_set_dedicated_owner(new_owners)


def _retries_close(rows: list[FollowUp], *, store: Store, now: datetime) -> None:
    """Retries of unanswered care calls that the new clock leaves no room for in their evening: closed as their last
    try, with the care SMS instead, as the outcome closes a call when no retry fits its window. A retry is the
    evening's call, tried already (ADR 0051): carried to another evening, it rang the customer again on another day
    about a delivery whose call went unanswered, and took in that day's contact as a call already tried. The customers
    are held (ADR 0037); the SMS instead is held to one contact a day by `care_sms_instead` (ADR 0051)."""
    for row in rows:
        row.status, row.updated_at = Status.DONE, now
    FollowUp.objects.bulk_update(rows, ["status", "updated_at"], batch_size=1000)
    for row in rows:
        row.store = store  # the clock placed by: its zone as saved now
        care_sms_instead(followup=row, now=now)


def _planned_to_come(store: Store, now: datetime):
    to_come = Q(channel__in=CALL_CHANNELS, window_end__gt=now) | Q(channel=FollowUp.Channel.SMS, window_start__gt=now)
    return FollowUp.objects.filter(to_come, store=store, status=Status.PLANNED)


def _placed(
    rows: list[FollowUp], before: Clock, after: Clock, now: datetime
) -> tuple[list[FollowUp], list[tuple[FollowUp, Window]], list[FollowUp]]:
    """Place the rows by `after`, in memory: (the rows that moved, the care calls that leave their evening, each with
    the evening it moves to, for `_to_other_evenings`, the retries of unanswered care calls that leave it, for
    `_retries_close`)."""
    called_back = set(
        CallAttempt.objects.filter(
            followup__in=[row.pk for row in rows if row.channel in CALL_CHANNELS], outcome=FollowUpOutcome.CALL_BACK
        ).values_list("followup_id", flat=True)
    )
    moved, elsewhere, unanswered = [], [], []
    for row in rows:
        was = (row.window_start, row.window_end, row.contact_day)
        evening = _place(row, before, after, now, called_back=row.pk in called_back)
        if evening is not None and row.outcome == FollowUpOutcome.NO_ANSWER:
            unanswered.append(row)  # no room left for its retry that evening
        elif evening is not None:
            elsewhere.append((row, evening))
        elif (row.window_start, row.window_end, row.contact_day) != was:
            row.updated_at = now
            moved.append(row)
    return moved, elsewhere, unanswered


def closed_days(*, store: Store, now: datetime, unsaved: bool = False) -> frozenset[date]:
    """The local dates the store is closed on, as the closures recorded now have them (ADR 0035); `unsaved`: read in
    the zone `store` has, not yet saved (a zone change asking first)."""
    return stores_closed_days(store_ids=[store.pk], now=now, unsaved={store.pk: store} if unsaved else None)[store.pk]


@transaction.atomic
def followups_replan(*, store: Store, before: Clock, now: datetime, after: Clock | None = None) -> int:
    """Place the store's planned follow-ups still to come again, by the clock the store has now (`after`: its zone
    and saved policy unless given, with its closures as they are; `before`: the clock they were planned by). Returns
    how many moved. Rows a sweeper or a click holds are waited for, and left when they are no longer planned then."""
    after = replace(after or Clock.now_of(store), closed=closed_days(store=store, now=now))
    planned = _planned_to_come(store, now)
    # The customers first, then their follow-ups (ADR 0037): an outcome or an opt-out about one of them takes the
    # customer, then the call, and _to_other_evenings writes dedicated customers' owners.
    customers_lock(planned.values_list("customer_id", flat=True).distinct())
    rows = list(planned.select_for_update(of=("self",)).select_related("order").order_by("pk"))
    moved, elsewhere, unanswered = _placed(rows, before, after, now)
    # Written first: the evenings' capacity is counted from the rows as they stand.
    FollowUp.objects.bulk_update(moved, _WRITTEN, batch_size=1000)
    if elsewhere:
        _to_other_evenings(elsewhere, after=after, now=now)
        FollowUp.objects.bulk_update([row for row, _ in elsewhere], _PLACED, batch_size=1000)
    if unanswered:
        _retries_close(unanswered, store=after.store, now=now)
    # A contact moved onto a day the customer already has one on becomes one with it (ADR 0051).
    followups_hold_one_a_day(moved=[*moved, *(row for row, _ in elsewhere)], store=after.store)
    return len(moved) + len(elsewhere) + len(unanswered)


def call_tasks_replanned(*, store: Store, before: Clock, after: Clock, now: datetime) -> dict[int, datetime]:
    """Where placing the store's planned follow-ups again by `after` (with the closures' dates it is given) would put
    its call tasks still to come: {task id: its new window's start}, for those that would move. Changes nothing and
    locks nothing: the placement `followups_replan` makes (`_placed`), on the rows as they stand, so that a change
    can say what it would do before it is saved (ADR 0046). Care calls are left out: where one that leaves its evening
    lands depends on that evening's capacity, counted from the rows written first, and no app takes one back."""
    rows = list(
        _planned_to_come(store, now)
        .filter(channel__in=CALL_CHANNELS)
        .exclude(purpose=FollowUp.Purpose.CARE)
        .select_related("order")
        .order_by("pk")
    )
    moved, _elsewhere, _closed = _placed(rows, before, after, now)  # a task keeps to its day's hours: never elsewhere
    return {row.pk: row.window_start for row in moved}


def policy_clock_changed(*, was: FollowUpPolicy, policy: FollowUpPolicy) -> bool:
    """Whether a policy change moves planned windows (and tells the other apps, `followups_follow_policy`)."""
    return any(getattr(was, name) != getattr(policy, name) for name in CLOCK_FIELDS)


def followups_follow_policy(*, store: Store, was: FollowUpPolicy, policy: FollowUpPolicy, now: datetime) -> int:
    """After a saved change of the store's policy (`was` before it, `policy` as saved): when the call window, call
    days, call hours or SMS sending hours changed, the planned follow-ups still to come placed by the new hours, and
    the other apps told (`signals.store_hours_changed`: logistics moves the parcel notices it holds for the hours).
    Returns how many follow-ups moved."""
    if not policy_clock_changed(was=was, policy=policy):
        return 0
    moved = followups_replan(store=store, before=Clock(store, was), after=Clock(store, policy), now=now)
    store_hours_changed.send(sender=FollowUpPolicy, store=store, policy=policy, now=now)
    return moved


def followups_follow_closures(*, store: Store, now: datetime) -> int:
    """After a closure of the store was recorded or removed (crm.signals.store_closures_changed, ADR 0035): the
    planned follow-ups still to come placed again, so the calls on its days go to the next open evening (by planning's
    rule, `_to_other_evenings`) and the call tasks to the next open day, and the other apps told, as after new hours
    (`signals.store_hours_changed`: logistics' call notices show their tasks' new windows). Nothing planned falls on
    the days of a closure removed: what moved off them stays where it went. Returns how many follow-ups moved."""
    clock = Clock.now_of(store)
    moved = followups_replan(store=store, before=clock, after=clock, now=now)
    store_hours_changed.send(sender=FollowUpPolicy, store=store, policy=clock.policy, now=now)
    return moved


def followups_free_closed_days(*, now: datetime) -> dict[int, int]:
    """Once, after the deploy that made closures stop calls (ADR 0035; run by callbacks' migration 0012 when its
    `migrate` is over): calls planned on a closure's days before then, which stayed there until the closure was
    removed and added again, are placed again as recording it places them (`followups_follow_closures`). Only stores
    with such a call are touched, each in its own transaction; run again, it finds none. Returns {store id: how many
    follow-ups moved}."""
    store_ids = set(
        StoreClosure.objects.filter(last_day__gte=now.date() - timedelta(days=1)).values_list("store_id", flat=True)
    )
    closed = stores_closed_days(store_ids=store_ids, now=now)
    stores = Store.objects.in_bulk(store_ids)
    calls = FollowUp.objects.filter(
        store_id__in=store_ids, status=Status.PLANNED, channel__in=CALL_CHANNELS, window_end__gt=now
    ).values_list("store_id", "window_start")
    on_closed_days = sorted(
        {
            store_id
            for store_id, start in calls.iterator()
            if to_store_local(start, stores[store_id]).date() in closed[store_id]
        }
    )
    moved: dict[int, int] = {}
    for store_id in on_closed_days:
        with transaction.atomic():
            moved[store_id] = followups_follow_closures(store=stores[store_id], now=now)
    return moved
