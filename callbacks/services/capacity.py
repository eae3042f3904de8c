"""Evening call capacity: who is on shift in a store tonight, how many of its calls each already holds in a window,
and where a care call goes by it (`care_call_place`: planning's rule, which a handover applies too, ADR 0031).

Shift and capacity are each store's own (ADR 0045): someone who serves two stores is on shift, and has room, in each
by that store's values, and a store's calls fill only that store's room. An agent's load in a window of a store is
every call follow-up of the store assigned to them that falls in it: planned there, or moved into it since (a call
back the customer asked for, a try again after no answer: their window then starts at that moment, not at the
window's start), made or still to make; suppressed ones aside. A call moved out of the window leaves its load."""

import heapq
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count

from callbacks.models import CALL_CHANNELS, FollowUp, FollowUpChannel, FollowUpPolicy, OverflowRule
from crm.models import Agent, AgentStore, Store

from .gate import ContactChannel, ContactPurpose, contacts_decide
from .windows import next_call_window, sms_window

Window = tuple[datetime, datetime]  # [start, end): a store's evening, or a day's call hours for a call task
Seat = tuple[int, int]  # (store id, agent id): an agent in one store they serve, with that store's shift and capacity


class CallCapacity:
    """Agents of the given stores, each with their shift and capacity in each store, locked for this transaction so
    concurrent planners cannot overfill them.

    Picks balance by filled share of capacity (then load, then id), so agents fill evenly to their limit.
    """

    def __init__(self, *, store_ids: set[int]) -> None:
        rows = list(
            AgentStore.objects.filter(store_id__in=store_ids, agent__user__is_active=True).values_list(
                "agent_id", "store_id", "on_shift", "evening_capacity"
            )
        )
        agent_ids = sorted({row[0] for row in rows})
        list(Agent.objects.select_for_update().filter(id__in=agent_ids).order_by("id").values_list("id", flat=True))
        self.store_ids = sorted(store_ids)
        self.agent_ids = agent_ids
        self.capacity: dict[Seat, int] = {(store_id, agent_id): cap for agent_id, store_id, _, cap in rows}
        self.on_shift: dict[int, list[int]] = defaultdict(list)
        for agent_id, store_id, on_shift, cap in rows:
            if on_shift and cap > 0:
                self.on_shift[store_id].append(agent_id)
        self._loads: dict[Window, dict[Seat, int]] = {}
        self._heaps: dict[tuple[int, Window], list[tuple[float, int, int]]] = {}

    def loads(self, window: Window) -> dict[Seat, int]:
        """{(store id, agent id): the store's calls they hold in the window}: the store's follow-ups assigned to them
        whose window starts in it."""
        if window not in self._loads:
            start, end = window
            counted = (
                FollowUp.objects.filter(
                    window_start__gte=start,
                    window_start__lt=end,
                    store_id__in=self.store_ids,
                    assignee_id__in=self.agent_ids,
                    channel__in=CALL_CHANNELS,
                )
                .exclude(status=FollowUp.Status.SUPPRESSED)
                .values_list("store_id", "assignee_id")
                .annotate(n=Count("id"))
            )
            self._loads[window] = defaultdict(int, {(store_id, agent_id): n for store_id, agent_id, n in counted})
        return self._loads[window]

    def serves(self, *, store_id: int, agent_id: int | None) -> bool:
        return agent_id is not None and (store_id, agent_id) in self.capacity

    def has_room(self, *, store_id: int, agent_id: int, window: Window) -> bool:
        seat = (store_id, agent_id)
        return self.loads(window)[seat] < self.capacity.get(seat, 0)

    def take(self, *, store_id: int, agent_id: int, window: Window) -> None:
        self.loads(window)[(store_id, agent_id)] += 1

    def _key(self, store_id: int, agent_id: int, window: Window) -> tuple[float, int, int]:
        load = self.loads(window)[(store_id, agent_id)]
        return (load / self.capacity[(store_id, agent_id)], load, agent_id)

    def owner_else_least_loaded(self, *, store_id: int, window: Window, owner_id: int | None) -> int | None:
        """The customer's dedicated owner while they serve the store, else the least loaded on-shift agent in the
        window, room or not: an owner is chosen for good, not for one evening, and call tasks have no capacity."""
        if self.serves(store_id=store_id, agent_id=owner_id):
            return owner_id
        return self.least_loaded(store_id=store_id, window=window, with_room=False)

    def least_loaded(self, *, store_id: int, window: Window, with_room: bool = True) -> int | None:
        """The agent on shift in the store with the smallest filled share of their capacity there in the window (a
        heap per store and window)."""
        heap = self._heaps.get((store_id, window))
        if heap is None:
            heap = [self._key(store_id, agent_id, window) for agent_id in self.on_shift.get(store_id, [])]
            heapq.heapify(heap)
            self._heaps[(store_id, window)] = heap
        while heap:
            entry = heap[0]
            current = self._key(store_id, entry[2], window)
            if entry != current:  # its load changed since it was pushed (taken elsewhere): re-queue
                heapq.heapreplace(heap, current)
                continue
            if with_room and not self.has_room(store_id=store_id, agent_id=entry[2], window=window):
                return None  # the least filled is full, so all are
            return entry[2]
        return None


def call_priority(*, channel: str, amount: Decimal) -> tuple[bool, Decimal]:
    """Which care calls get an evening's last room: dedicated customers first, then the larger orders."""
    return channel != FollowUpChannel.DEDICATED, -amount


def followup_call_priority(*, followup: FollowUp, policy: FollowUpPolicy) -> tuple[bool, Decimal]:
    """`call_priority` of a planned care call (its order's amount in the policy currency, as planning weighed it)."""
    order = followup.order
    amount = policy.amount_in_policy_currency(order.total_amount, order.currency)
    return call_priority(channel=followup.channel, amount=order.total_amount if amount is None else amount)


def care_sms_allowed(*, store: Store, customer_ids: Iterable[int]) -> set[int]:
    """The customers the gate would send a care SMS (its standing answer: the hour aside, as planning asks it), in
    one question: whom the overflow rule may text instead of calling on a full evening."""
    decided = contacts_decide(
        store=store, customer_ids=customer_ids, channel=ContactChannel.SMS, purpose=ContactPurpose.CARE
    )
    return {customer_id for customer_id, decision in decided.items() if decision or decision.only_the_hour}


@dataclass(frozen=True, slots=True)
class Placement:
    """Where `care_call_place` put a call."""

    channel: str  # the call's, or `sms` when the store's overflow rule sends a care SMS instead
    window: Window
    assignee_id: int | None
    owner_id: int | None  # a dedicated customer's owner, kept or chosen now; None for other calls
    overflowed: bool = False  # it did not fit its evening: the manager sees it (reports' escalations)


def care_call_place(
    capacity: CallCapacity,
    *,
    store: Store,
    policy: FollowUpPolicy,
    evening: Window,
    channel: str,
    owner_id: int | None,
    sms_allowed: bool,
    since: datetime,
    closed: Collection[date],
) -> Placement:
    """Where a care call for `evening` goes, taken from the capacity at once. A dedicated customer's call goes to their
    owner (`owner_else_least_loaded`), any other to the least filled on-shift agent, if they have room that evening.
    Otherwise it is flagged and moved by the store's overflow rule: a care SMS from `since` (when the gate's standing
    answer allows one, `sms_allowed`), else the next call window (past the store's closures, `closed`), to the owner
    even when full, or to the least filled agent with room there, or to nobody (the manager's queue)."""
    store_id, owner = store.pk, None
    if channel == FollowUpChannel.DEDICATED:
        owner = capacity.owner_else_least_loaded(store_id=store_id, window=evening, owner_id=owner_id)
        has_room = owner is not None and capacity.has_room(store_id=store_id, agent_id=owner, window=evening)
        assignee = owner if has_room else None
    else:
        assignee = capacity.least_loaded(store_id=store_id, window=evening)
    if assignee is not None:
        capacity.take(store_id=store_id, agent_id=assignee, window=evening)
        return Placement(channel, evening, assignee, owner)
    if policy.overflow_rule == OverflowRule.SMS_INSTEAD and sms_allowed:
        return Placement(FollowUpChannel.SMS, sms_window(policy=policy, store=store, moment=since), None, owner, True)
    window = next_call_window(policy=policy, store=store, window_end=evening[1], closed=closed)
    # The owner keeps the customer, even on a full evening.
    assignee = owner if owner is not None else capacity.least_loaded(store_id=store_id, window=window)
    if assignee is not None:
        capacity.take(store_id=store_id, agent_id=assignee, window=window)
    return Placement(channel, window, assignee, owner, True)
