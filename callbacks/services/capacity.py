"""Evening call capacity: who serves a store tonight, how many calls each already holds in a window.

An agent's load in a window is every call follow-up assigned to them that falls in it: planned there, or moved
into it since (a call back the customer asked for, a try again after no answer: their window then starts at that
moment, not at the window's start), made or still to make; suppressed ones aside. A call moved out of the window
leaves its load."""

import heapq
from collections import defaultdict
from datetime import datetime

from django.db.models import Count

from callbacks.models import CALL_CHANNELS, FollowUp
from crm.models import Agent

Window = tuple[datetime, datetime]  # [start, end): a store's evening, or a day's call hours for a call task


class CallCapacity:
    """Agents of the given stores, locked for this transaction so concurrent planners cannot overfill them.

    Picks balance by filled share of capacity (then load, then id), so agents fill evenly to their limit.
    """

    def __init__(self, *, store_ids: set[int]) -> None:
        rows = list(
            Agent.objects.filter(stores__in=store_ids, user__is_active=True).values_list(
                "id", "stores", "on_shift", "evening_capacity"
            )
        )
        agent_ids = sorted({row[0] for row in rows})
        list(Agent.objects.select_for_update().filter(id__in=agent_ids).order_by("id").values_list("id", flat=True))
        self.capacity = {agent_id: cap for agent_id, _, _, cap in rows}
        self.serving: set[tuple[int, int]] = {(store_id, agent_id) for agent_id, store_id, _, _ in rows}
        self.on_shift: dict[int, list[int]] = defaultdict(list)
        for agent_id, store_id, on_shift, cap in rows:
            if on_shift and cap > 0:
                self.on_shift[store_id].append(agent_id)
        self._loads: dict[Window, dict[int, int]] = {}
        self._heaps: dict[tuple[int, Window], list[tuple[float, int, int]]] = {}

    def loads(self, window: Window) -> dict[int, int]:
        """{agent id: calls they hold in the window}: the follow-ups assigned to them whose window starts in it."""
        if window not in self._loads:
            start, end = window
            counted = (
                FollowUp.objects.filter(
                    window_start__gte=start,
                    window_start__lt=end,
                    assignee_id__in=list(self.capacity),
                    channel__in=CALL_CHANNELS,
                )
                .exclude(status=FollowUp.Status.SUPPRESSED)
                .values_list("assignee_id")
                .annotate(n=Count("id"))
            )
            self._loads[window] = defaultdict(int, dict(counted))
        return self._loads[window]

    def serves(self, *, store_id: int, agent_id: int | None) -> bool:
        return agent_id is not None and (store_id, agent_id) in self.serving

    def has_room(self, *, agent_id: int, window: Window) -> bool:
        return self.loads(window)[agent_id] < self.capacity.get(agent_id, 0)

    def take(self, *, agent_id: int, window: Window) -> None:
        self.loads(window)[agent_id] += 1

    def _key(self, agent_id: int, window: Window) -> tuple[float, int, int]:
        load = self.loads(window)[agent_id]
        return (load / self.capacity[agent_id], load, agent_id)

    def least_loaded(self, *, store_id: int, window: Window, with_room: bool = True) -> int | None:
        """The on-shift agent of the store with the smallest filled share in the window (a heap per window)."""
        heap = self._heaps.get((store_id, window))
        if heap is None:
            heap = [self._key(agent_id, window) for agent_id in self.on_shift.get(store_id, [])]
            heapq.heapify(heap)
            self._heaps[(store_id, window)] = heap
        while heap:
            entry = heap[0]
            current = self._key(entry[2], window)
            if entry != current:  # its load changed since it was pushed (taken elsewhere): re-queue
                heapq.heapreplace(heap, current)
                continue
            if with_room and not self.has_room(agent_id=entry[2], window=window):
                return None  # the least filled is full, so all are
            return entry[2]
        return None
