"""Read queries for the agents' pages, scoped to what the user may see, in a constant number of queries.

The call panel serves two subjects with the same shape (store, customer, status, attempts, `calls`,
`call_attempts`): an evening `FollowUp` and a `CaseCall` opened from a case page.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from callbacks.errors import CaseCallNotFound, FollowUpNotFound
from callbacks.models import (
    CALL_CHANNELS,
    Call,
    CallAttempt,
    CallScript,
    CaseCall,
    ClosedUncalled,
    ClosedUnlogged,
    FollowUp,
    FollowUpPolicy,
)
from crm import roles
from crm.models import Agent, AgentStore, Customer, Order, Store
from crm.selectors import stores_for_user
from crm.timezones import store_day_bounds, store_local_datetime, store_today

OPEN_STATUSES = (FollowUp.Status.PLANNED, FollowUp.Status.IN_PROGRESS)
DONE_STATUSES = (FollowUp.Status.DONE, FollowUp.Status.FAILED)


def followups_for_user(
    *, user, is_manager: bool | None = None, stores: list[Store] | None = None, agent: Agent | None = None
) -> QuerySet[FollowUp]:
    """Call follow-ups the user may open: every one of the stores they manage, and their own in the stores they serve
    as an agent (ADR 0045). `is_manager=False` keeps to their own everywhere (an agent's queue).

    A caller that already loaded the user's stores (`stores_for_user`) or agent profile passes them: plain ids
    instead of joins and subqueries keep PostgreSQL's planning time small on the busiest page.
    """
    calls = FollowUp.objects.filter(channel__in=CALL_CHANNELS)
    if not user.is_authenticated:
        return calls.none()
    if user.is_superuser:
        return calls
    store_scope = [store.pk for store in stores] if stores is not None else stores_for_user(user=user)
    mine = Q(assignee=agent) if agent is not None else Q(assignee__user=user)
    managed = roles.managed_store_ids(user) if is_manager is not False else frozenset()
    if managed:
        return calls.filter(Q(store_id__in=sorted(managed)) | mine, store__in=store_scope)
    return calls.filter(mine, store__in=store_scope)


def agent_of(*, user) -> Agent | None:
    return Agent.objects.filter(user=user).first() if user.is_authenticated else None


def _tonight(stores: list[Store], now: datetime) -> Q:
    """Windows that start on each store's own local today (one OR term per store, each in its own timezone)."""
    q = Q(pk__in=[])
    for store in stores:
        start, end = store_day_bounds(store, store_today(store, now=now))
        q |= Q(store=store, window_start__gte=start, window_start__lt=end)
    return q


def calls_left_tonight_count(*, user, stores: list[Store], now: datetime | None = None) -> int:
    """Tonight's calls still to make in the queue the user sees (an agent's own, a manager's stores'): the home
    page's count."""
    rows = followups_for_user(user=user, stores=stores).filter(_tonight(stores, now or timezone.now()))
    return rows.filter(status__in=OPEN_STATUSES).count()


@dataclass(frozen=True)
class QueueFilters:
    store: Store | None = None
    status: str = "open"  # open | done | all
    agent: Agent | None = None  # managers only: whose queue


@dataclass(frozen=True)
class AgentLoad:
    agent: Agent
    done: int
    left: int
    capacity: int  # their evening capacities in the stores whose calls `done` and `left` count, on shift (ADR 0050)


@dataclass(frozen=True)
class Evening:
    """One store's evening in the queue: its care calls under its own window, in its own time zone."""

    store: Store
    window_start: datetime  # today's window in the store's zone, as aware UTC instants
    window_end: datetime
    state: str  # upcoming | open | ended (at the moment the page was built)
    rows: list[FollowUp]

    @property
    def ended(self) -> bool:
        return self.state == "ended"


@dataclass(frozen=True)
class Queue:
    rows: list[FollowUp]
    done: int
    left: int
    total: int
    capacity: int | None
    # Whose capacity the counts are held against, when the queue shows one person's calls: "mine" (an agent's own
    # queue, or a manager's filtered to themselves) or "agent" (a manager's filtered to another agent); None otherwise.
    capacity_of: str | None
    truncated: bool
    loads: list[AgentLoad]
    evenings: list[Evening] = field(default_factory=list)
    missed: int = 0  # closed because nobody called in the window: neither done nor left
    not_logged: int = 0  # called, closed with no outcome logged (callbacks.services.missed): neither done nor left
    today: list[FollowUp] = field(default_factory=list)  # call tasks due today (daytime), beside the evenings


QUEUE_PAGE_SIZE = 50
# What a queue row shows: fetching only these keeps the page's cost in its rows, not in unused columns.
QUEUE_ROW_FIELDS = (
    *("id", "store", "customer", "order", "channel", "purpose", "note", "status", "window_start", "window_end"),
    *("assignee", "attempts", "outcome", "customer_replied_at"),
    *("store__name", "store__timezone"),
    *("customer__name", "customer__phone"),
    *("order__external_id", "order__total_amount", "order__currency", "order__items", "order__delivered_at"),
    *("assignee__user__username", "assignee__user__first_name", "assignee__user__last_name"),
)


# A call closed by the sweep of callbacks.services.missed, as missed (nobody called in its window) or as not logged
# (called, no outcome logged), is closed, but not done.
_MISSED = Q(outcome=ClosedUncalled.MISSED)
_NOT_LOGGED = Q(outcome=ClosedUnlogged.NOT_LOGGED)
_COUNTS = {
    "done": Count("pk", filter=Q(status__in=DONE_STATUSES) & ~_MISSED & ~_NOT_LOGGED),
    "left": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
    "missed": Count("pk", filter=_MISSED),
    "not_logged": Count("pk", filter=_NOT_LOGGED),
}


def _capacities(agent_ids: list[int], store_ids: list[int]) -> dict[int, dict[int, int]]:
    """{agent id: {store id: their evening capacity there}} over the given stores where they are on shift: each store's
    own (ADR 0050). Off shift in a store, no evening call of it is planned for them (callbacks.services.capacity): their
    capacity there is no room."""
    rows = AgentStore.objects.filter(agent_id__in=agent_ids, store_id__in=store_ids, on_shift=True).values_list(
        "agent_id", "store_id", "evening_capacity"
    )
    held: dict[int, dict[int, int]] = {}
    for agent_id, store_id, capacity in rows:
        held.setdefault(agent_id, {})[store_id] = capacity
    return held


def _loads(
    base: QuerySet[FollowUp],
    agents: list[Agent],
    *,
    capacities: dict[int, dict[int, int]],
    counted: dict[int, set[int]],
) -> list[AgentLoad]:
    """Each agent's done and left in `base`, against their capacity in the stores whose calls are counted for them
    (`counted`: {agent id: store ids})."""
    by_agent = {row["assignee"]: row for row in base.order_by().values("assignee").annotate(**_COUNTS)}
    return [
        AgentLoad(
            agent=agent,
            done=by_agent.get(agent.pk, {}).get("done", 0),
            left=by_agent.get(agent.pk, {}).get("left", 0),
            capacity=sum(
                cap for store_id, cap in capacities.get(agent.pk, {}).items() if store_id in counted[agent.pk]
            ),
        )
        for agent in agents
    ]


def _in_queue_order(rows: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """Calls in the order agents work them, on the list and as the next call opened: a call task whose customer
    answered the store by SMS first (ADR 0024: they are waiting for us), then by window, the dedicated tier first
    within a window, the larger order first."""
    return rows.annotate(
        reply_rank=SqlCase(
            When(customer_replied_at__isnull=False, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        tier_rank=SqlCase(
            When(channel=FollowUp.Channel.DEDICATED, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("reply_rank", "window_start", "tier_rank", "-order__total_amount", "pk")


def queue_tonight(
    *,
    user,
    stores: list[Store],
    filters: QueueFilters,
    is_manager: bool,
    agent: Agent | None = None,
    agents: list[Agent] | None = None,
    now: datetime | None = None,
) -> Queue:
    """Tonight's calls, the call tasks whose customer answered the store by SMS first (ADR 0024), then dedicated tier
    first within each window; counts done/left/missed/not logged in one aggregate
    query.

    With `agents` (a manager's view) also each agent's done/left, in one more grouped query.
    """
    now = now or timezone.now()
    scope = [filters.store] if filters.store else stores
    base = followups_for_user(user=user, is_manager=is_manager, stores=stores, agent=agent).filter(_tonight(scope, now))
    if filters.agent is not None:
        base = base.filter(assignee=filters.agent)
    counts = base.aggregate(**_COUNTS)
    rows = base
    if filters.status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif filters.status == "done":
        rows = rows.filter(status__in=DONE_STATUSES)
    rows = rows.select_related("store", "customer", "order", "assignee__user").only(*QUEUE_ROW_FIELDS)
    rows = _in_queue_order(rows)
    page = list(rows[: QUEUE_PAGE_SIZE + 1])
    whose = filters.agent or agent
    shown = page[:QUEUE_PAGE_SIZE]
    # Capacities are each store's own (ADR 0045): the calls counted for someone are held against their capacities in
    # the stores those calls come from: one's own, every store shown; another's, the stores shown the user manages.
    scope_ids = {store.pk for store in scope}
    others = scope_ids if user.is_superuser or not is_manager else scope_ids & roles.managed_store_ids(user)
    counted = {a.pk: others for a in agents or []}
    if agent is not None:
        counted[agent.pk] = scope_ids
    with_loads = agents is not None and filters.agent is None
    held = _capacities([*counted, *([whose.pk] if whose is not None else [])], sorted(scope_ids))
    capacity = None
    if whose is not None:
        capacity = sum(
            cap for store_id, cap in held.get(whose.pk, {}).items() if store_id in counted.get(whose.pk, others)
        )
    return Queue(
        rows=shown,
        evenings=_evenings(scope, [row for row in shown if row.purpose == FollowUp.Purpose.CARE], now),
        today=[row for row in shown if row.purpose != FollowUp.Purpose.CARE],
        done=counts["done"],
        left=counts["left"],
        missed=counts["missed"],
        not_logged=counts["not_logged"],
        total=counts["done"] + counts["left"] + counts["missed"] + counts["not_logged"],
        capacity=capacity,
        capacity_of=_capacity_of(whose, agent, one_person=not is_manager or filters.agent is not None),
        truncated=len(page) > QUEUE_PAGE_SIZE,
        loads=_loads(base, agents, capacities=held, counted=counted) if with_loads else [],
    )


def _capacity_of(whose: Agent | None, agent: Agent | None, *, one_person: bool) -> str | None:
    """Whose capacity a queue of one person's calls is held against: the user's own, or the agent it is filtered to."""
    if whose is None or not one_person:
        return None
    return "mine" if agent is not None and whose.pk == agent.pk else "agent"


def _evenings(stores: list[Store], rows: list[FollowUp], now: datetime) -> list[Evening]:
    """Tonight's care calls grouped by store, each under the store's own evening window (one query for the
    policies). Stores still to come or calling now first, soonest first; evenings that have ended last."""
    by_store: dict[int, list[FollowUp]] = {}
    for row in rows:
        by_store.setdefault(row.store_id, []).append(row)
    if not by_store:
        return []
    policies = {p.store_id: p for p in FollowUpPolicy.objects.filter(store_id__in=list(by_store))}
    evenings = []
    for store in stores:
        if store.pk not in by_store:
            continue
        policy = policies.get(store.pk) or FollowUpPolicy(store=store)
        day = store_today(store, now=now)
        start = store_local_datetime(store, day, policy.call_window_start)
        end = store_local_datetime(store, day, policy.call_window_end)
        state = "ended" if now >= end else "open" if now >= start else "upcoming"
        evenings.append(Evening(store=store, window_start=start, window_end=end, state=state, rows=by_store[store.pk]))
    evenings.sort(key=lambda e: (e.ended, e.window_start, e.store.name))
    return evenings


def followup_next_open(*, user, after: FollowUp, now: datetime | None = None) -> FollowUp | None:
    """The next call in the user's own queue tonight, to open once an outcome is logged: the first of the list
    (`_in_queue_order`)."""
    stores = list(stores_for_user(user=user))
    mine = followups_for_user(user=user).filter(
        _tonight(stores, now or timezone.now()), assignee__user=user, status__in=OPEN_STATUSES
    )
    return _in_queue_order(mine.exclude(pk=after.pk)).first()


def followup_merged_orders(*, followup: FollowUp) -> list[Order]:
    """The orders of the deliveries merged into this contact (ADR 0051: one care contact per customer and day), which
    the call covers besides its own, first signed for first."""
    rows = followup.merged.select_related("order").order_by("order__delivered_at", "pk")
    return [row.order for row in rows]


def followup_get_for_user(*, user, followup_id: int) -> FollowUp:
    followup = (
        followups_for_user(user=user)
        .select_related("store", "customer__dedicated_owner__user", "order", "assignee__user")
        .filter(pk=followup_id)
        .first()
    )
    if followup is None:
        raise FollowUpNotFound(followup_id=followup_id)
    return followup


def case_calls_for_user(*, user) -> QuerySet[CaseCall]:
    """Case calls the user may open: every one of the stores they manage, and in the stores they serve as an agent
    the ones they opened."""
    if not user.is_authenticated:
        return CaseCall.objects.none()
    if user.is_superuser:
        return CaseCall.objects.all()
    stores = stores_for_user(user=user)
    managed = roles.managed_store_ids(user)
    mine = Q(assignee__user=user)
    if managed:
        return CaseCall.objects.filter(Q(store_id__in=sorted(managed)) | mine, store__in=stores)
    return CaseCall.objects.filter(mine, store__in=stores)


def case_call_get_for_user(*, user, case_call_id: int) -> CaseCall:
    case_call = (
        case_calls_for_user(user=user)
        .select_related("store", "customer__dedicated_owner__user", "case__order", "assignee__user")
        .filter(pk=case_call_id)
        .first()
    )
    if case_call is None:
        raise CaseCallNotFound(case_call_id=case_call_id)
    return case_call


def call_attempts_of(*, subject: FollowUp | CaseCall) -> list[CallAttempt]:
    return list(subject.call_attempts.select_related("agent__user", "case"))


def latest_call_of(*, subject: FollowUp | CaseCall) -> Call | None:
    return subject.calls.order_by("-started_at", "-pk").first()


def call_script_for(*, store: Store) -> CallScript | None:
    return CallScript.objects.filter(store=store).first()


def agents_for_stores(*, stores: list[Store]) -> list[Agent]:
    return list(
        Agent.objects.filter(stores__in=stores, user__is_active=True).select_related("user").distinct().order_by("pk")
    )


@dataclass(frozen=True)
class CustomerHistory:
    orders: list
    contacts: list[FollowUp]
    cases: list
    reviews: list
    changes: list


HISTORY_LIMIT = 10


def customer_history(*, customer: Customer, followup: FollowUp | None = None) -> CustomerHistory:
    """What the agent needs at hand about the customer: one query per section, each capped.

    `followup`, the call on the panel, is left out of the earlier contacts."""
    return CustomerHistory(
        orders=list(customer.orders.order_by("-placed_at")[:HISTORY_LIMIT]),
        contacts=list(
            customer.followups.exclude(pk=followup.pk if followup else None)
            .select_related("order", "assignee__user")
            .order_by("-window_start")[:HISTORY_LIMIT]
        ),
        cases=list(customer.cases.select_related("assignee__user").order_by("-opened_at")[:HISTORY_LIMIT]),
        # Reviews live in the reviews app; the reverse relation keeps callbacks from importing it.
        reviews=list(customer.reviews.order_by("-posted_at")[:HISTORY_LIMIT]),
        changes=list(customer.changes.select_related("changed_by").order_by("-changed_at", "-id")[:HISTORY_LIMIT]),
    )
