"""SLA deadlines in the store's service time (its hours and timezone, less its days off and closures: the arithmetic is
crm.services.service_time), and the escalation of breaches to the manager."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from crm import roles
from crm.models import Case, CaseEvent, CasePolicy, SlaTarget, Store, StoreClosure

from .service_time import (
    ServiceHours,
    closures_in_effect,
    earlier_calendars,
    service_time_after,
    working_deadline,
)

# Working minutes (first response, resolution) for a store that has set no target of its own.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Case.TriageGroup.PRIORITY: (60, 12 * 60),
    Case.TriageGroup.DIFFICULT: (120, 24 * 60),
    Case.TriageGroup.NORMAL: (240, 36 * 60),
}
# A deadline this close is "about to breach" on the escalations page.
SOON = timedelta(hours=1)


def service_hours_for(*, store: Store) -> ServiceHours:
    """The store's service hours, weekly days off and closures, as the deadlines count them (ADR 0006, 0035): the
    hours and days off of each moment as the store kept them then (its earlier ones until it changed them)."""
    policy = (
        CasePolicy.objects.filter(store=store)
        .only("service_start", "service_end", "days_off", "earlier_calendars")
        .first()
    )
    closed, closed_spans = closures_in_effect(
        store=store,
        closures=StoreClosure.objects.filter(store=store).values_list(
            "first_day", "last_day", "recorded_at", "ended_at"
        ),
    )
    if policy is None:
        start, end, days_off = CasePolicy.DEFAULT_SERVICE_START, CasePolicy.DEFAULT_SERVICE_END, frozenset()
        earlier: tuple = ()
    else:
        start, end, days_off = policy.service_start, policy.service_end, frozenset(policy.days_off)
        earlier = earlier_calendars(
            store=store,
            calendars=(
                (
                    time.fromisoformat(kept["service_start"]),
                    time.fromisoformat(kept["service_end"]),
                    kept["days_off"],
                    datetime.fromisoformat(kept["until"]),
                )
                for kept in policy.earlier_calendars
            ),
        )
    return ServiceHours(start, end, days_off=days_off, closed_days=closed, closed_spans=closed_spans, earlier=earlier)


def sla_target_for(*, store: Store, triage_group: str, source: str) -> tuple[int, int]:
    """(first response, resolution) in working minutes: the source's own target, else the group's, else ours."""
    targets = {
        t.source: (t.first_response_minutes, t.resolution_minutes)
        for t in SlaTarget.objects.filter(store=store, triage_group=triage_group, source__in=[source, ""])
    }
    return targets.get(source) or targets.get("") or DEFAULT_TARGETS[triage_group]


class CaseDeadlines:
    """A store's service hours and SLA targets, read once for the many cases a sweep opens."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.hours = service_hours_for(store=store)
        self._targets: dict[tuple[str, str], tuple[int, int]] = {}

    def for_case(self, case: Case, since: datetime) -> tuple[datetime, datetime]:
        """(first response due, resolution due) for a case whose clock starts at `since`."""
        key = (case.triage_group, case.source)
        if key not in self._targets:
            self._targets[key] = sla_target_for(store=self.store, triage_group=key[0], source=key[1])
        first, resolution = self._targets[key]
        # The resolution clock stood still while the case waited on the customer (ADR 0034): that time is added.
        return (
            working_deadline(store=self.store, start=since, minutes=first, hours=self.hours),
            service_time_after(
                store=self.store,
                start=since,
                span=timedelta(minutes=resolution) + case.resolution_paused,
                hours=self.hours,
            ),
        )


def case_compute_deadlines(*, case: Case, since: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a case whose clock starts at `since`."""
    return CaseDeadlines(case.store).for_case(case, since)


def clocks_started(cases: list[Case]) -> dict[int, datetime]:
    """When each case's SLA clocks started: its latest reopening (the customer came back, ADR 0006), else its
    opening. One query for the lot."""
    reopened = dict(
        CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.REOPENED)
        .values("case_id")
        .annotate(at=Max("at"))
        .values_list("case_id", "at")
    )
    return {case.pk: reopened.get(case.pk, case.opened_at) for case in cases}


def cases_deadlines_recount(*, store: Store, now: datetime) -> int:
    """Count again, in the store's service time as it is now (its time zone, hours, days off or closures changed),
    the deadlines of its open cases that are still to come, from the moment each clock started (the opening, or the
    latest reopening): each moment by the hours and days off in force then, so a change counts only from when it
    was made, and each closure from when it was recorded until it was ended (ADR 0035). A deadline already passed
    stays as it was: the case was breached, and escalated, by it (ADR 0029). Returns the cases changed."""
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(store=store, status__in=Case.OPEN_STATUSES)
        .filter(Q(first_response_at__isnull=True, first_response_due__gt=now) | Q(resolution_due__gt=now))
        .order_by("pk")
    )
    if not cases:
        return 0
    started = clocks_started(cases)
    deadlines = CaseDeadlines(store)
    for case in cases:
        first, resolution = deadlines.for_case(case, started[case.pk])
        if case.first_response_at is None and case.first_response_due is not None and case.first_response_due > now:
            case.first_response_due = first
        if case.resolution_due is not None and case.resolution_due > now:
            case.resolution_due = resolution
    Case.objects.bulk_update(cases, ["first_response_due", "resolution_due"])
    return len(cases)


@dataclass(frozen=True)
class SlaStatus:
    """What the next deadline of an open case is and how long is left (negative when breached)."""

    deadline: str  # "first_response" | "resolution" | "paused" (waiting on the customer) | "" when nothing is due
    due: datetime | None
    left: timedelta | None

    @property
    def breached(self) -> bool:
        return self.left is not None and self.left <= timedelta(0)

    @property
    def soon(self) -> bool:
        return self.left is not None and timedelta(0) < self.left <= SOON

    @property
    def left_minutes(self) -> int | None:
        return None if self.left is None else int(self.left.total_seconds() // 60)


def case_sla_status(*, case: Case, now: datetime | None = None) -> SlaStatus:
    now = now or timezone.now()
    if not case.is_open:
        return SlaStatus("", None, None)
    if case.first_response_at is not None and case.status == Case.Status.AWAITING_CUSTOMER:
        return SlaStatus("paused", None, None)  # the resolution clock waits on the customer
    if case.first_response_at is None and case.first_response_due is not None:
        return SlaStatus("first_response", case.first_response_due, case.first_response_due - now)
    if case.resolution_due is not None:
        return SlaStatus("resolution", case.resolution_due, case.resolution_due - now)
    return SlaStatus("", None, None)


def breached_q(now: datetime) -> Q:
    """Open cases past a deadline: no first response in time, or not resolved in time. A case waiting on the
    customer is never late for its resolution: that clock is paused (ADR 0034)."""
    return Q(status__in=Case.OPEN_STATUSES) & (
        Q(first_response_at__isnull=True, first_response_due__lt=now)
        | (Q(resolution_due__lt=now) & ~Q(status=Case.Status.AWAITING_CUSTOMER))
    )


@transaction.atomic
def cases_escalate_breached(*, now: datetime | None = None, batch: int = 500) -> list[int]:
    """Record each breach of an open case once, and escalate it to its store's managers unless it was escalated
    already. Returns the ids of the cases whose breach was recorded.

    A case not yet escalated gets `escalated_at` and one `escalated` event naming the breach and the managers; a case
    escalated before its deadline passed (by hand, or its negotiation failed) gets one `breached` event instead, so
    its timeline and the reports know it was late without it being escalated twice. Both get `breached_at`, which is
    what makes it once (case_reopen clears it: a reopened case has new clocks). Rows are claimed with SKIP LOCKED, so
    two beat runs at once split the work instead of doubling it.
    """
    now = now or timezone.now()
    claimed = list(
        Case.objects.select_for_update(skip_locked=True)
        .filter(breached_q(now), breached_at__isnull=True)
        .order_by("id")
        .values("id", "store_id", "first_response_at", "first_response_due", "escalated_at")[:batch]
    )
    if not claimed:
        return []
    ids = [row["id"] for row in claimed]
    Case.objects.filter(pk__in=ids).update(breached_at=now)
    Case.objects.filter(pk__in=ids, escalated_at__isnull=True).update(escalated_at=now)
    managers: dict[int, list[int]] = {}
    store_ids = {row["store_id"] for row in claimed}
    for store_id, user_id in (
        roles.manager_memberships()
        .filter(store_id__in=store_ids, agent__user__is_active=True)
        .values_list("store_id", "agent__user_id")
        .distinct()
    ):
        managers.setdefault(store_id, []).append(user_id)

    def event(row: dict) -> CaseEvent:
        late = row["first_response_at"] is None and row["first_response_due"] and row["first_response_due"] < now
        breach = {"breach": "first_response" if late else "resolution"}
        if row["escalated_at"] is not None:
            return CaseEvent(case_id=row["id"], kind=CaseEvent.Kind.BREACHED, at=now, data=breach)
        escalation = {**breach, "managers": sorted(managers.get(row["store_id"], []))}
        return CaseEvent(case_id=row["id"], kind=CaseEvent.Kind.ESCALATED, at=now, data=escalation)

    CaseEvent.objects.bulk_create(event(row) for row in claimed)
    return ids
