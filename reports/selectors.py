"""Reads for the manager pages, always limited to the stores the user manages."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case as DbCase
from django.db.models import F, Q, QuerySet, Value, When

from callbacks.models import ClosedUncalled, ClosedUnlogged, FollowUp
from crm import roles
from crm.models import AuditLog, Case, CaseEvent, Customer, Remedy, Store
from crm.readable.details import play_label
from crm.selectors import store_ids_with_another_manager, stores_managed_by
from crm.selectors.remedies import remedies_given
from crm.services.sla import SOON, breached_q
from reviews.models import Review, ReviewRevision
from reviews.selectors import reviews_worse_after_close

from .models import RollupRun

# Each list on the escalations page, and the approvals queue, shows at most this many rows, the most urgent first.
BOARD_LIMIT = 100
# Deliveries planned nothing because the store cannot convert their currency stay on the board this long: time
# to add the rate on the policy page (later deliveries in that currency are then planned).
UNKNOWN_CURRENCY_DAYS = 14
# Calls nobody made in their window, and calls made whose outcome nobody logged (callbacks.services.missed), stay on
# the board this long after the window ended.
MISSED_CALL_DAYS = 7


@dataclass
class EscalationBoard:
    late: list[Case]
    unassigned: list[Case]
    difficult: list[Case]
    do_not_call_complaints: list[Case]
    over_capacity: list[FollowUp]
    unknown_currency: list[FollowUp]
    # Negotiation failed and the manager has not decided: each case carries `options_tried` (readable labels).
    negotiation_failed: list[Case] = field(default_factory=list)
    # Escalated by someone (by hand, an assessment beyond the agent's limit) and still open: `escalation` is the event.
    escalated: list[Case] = field(default_factory=list)
    # Calls nobody made in their window, latest first, and whether more were missed than the board shows.
    missed_calls: list[FollowUp] = field(default_factory=list)
    more_missed_calls: bool = False
    # Calls made whose outcome nobody logged (ADR 0028), latest first, and whether there were more.
    unlogged_calls: list[FollowUp] = field(default_factory=list)
    more_unlogged_calls: bool = False
    # Reviews the customer lowered or added to after their case was closed (ADR 0032): the latest change of each.
    reviews_after_close: list[ReviewRevision] = field(default_factory=list)
    more_reviews_after_close: bool = False

    @property
    def total(self) -> int:
        lists = (
            self.late, self.unassigned, self.difficult, self.do_not_call_complaints, self.over_capacity,
            self.unknown_currency, self.negotiation_failed, self.escalated, self.missed_calls, self.unlogged_calls,
            self.reviews_after_close,
        )  # fmt: skip
        return sum(len(items) for items in lists)


def _open_cases(stores: QuerySet[Store]) -> QuerySet[Case]:
    return Case.objects.filter(store__in=stores, status__in=Case.OPEN_STATUSES).select_related(
        "store", "customer", "order", "assignee__user"
    )


def _negotiation_failed(cases: QuerySet[Case]) -> list[Case]:
    waiting = list(
        cases.filter(negotiation_failed_at__isnull=False, manager_decision="").order_by("negotiation_failed_at", "id")[
            :BOARD_LIMIT
        ]
    )
    tried: dict[int, list[str]] = {}
    for event in CaseEvent.objects.filter(case__in=waiting, kind=CaseEvent.Kind.NEGOTIATION_FAILED).order_by("at"):
        tried[event.case_id] = [play_label(key) for key in event.data.get("offered", [])]
    for case in waiting:
        case.options_tried = tried.get(case.pk, [])
    return waiting


def _escalated(cases: QuerySet[Case]) -> list[Case]:
    """Open cases a person escalated: by hand or by an assessment beyond the agent's limit (`case_escalate`), before
    any sweep did. Not the sweep's own escalations (stamped with the breach, `breached_at`: the late list has them)
    nor failed negotiations (their own list). The oldest escalation first, each with its `escalation` event (who,
    why)."""
    by_person = Q(breached_at__isnull=True) | Q(escalated_at__lt=F("breached_at"))
    escalated = list(
        cases.filter(by_person, escalated_at__isnull=False, negotiation_failed_at__isnull=True).order_by(
            "escalated_at", "id"
        )[:BOARD_LIMIT]
    )
    events: dict[int, CaseEvent] = {}
    for event in (
        CaseEvent.objects.filter(case__in=escalated, kind=CaseEvent.Kind.ESCALATED)
        .select_related("actor")
        .order_by("at", "id")
    ):
        events[event.case_id] = event
    for case in escalated:
        case.escalation = events.get(case.pk)
    return escalated


def _closed_by_sweep(stores: QuerySet[Store], now: datetime, outcome: str) -> tuple[list[FollowUp], bool]:
    """Call follow-ups the sweep of callbacks.services.missed closed with `outcome` (missed, or not logged) whose
    window ended in the last `MISSED_CALL_DAYS` days, latest first: at most `BOARD_LIMIT`, and whether there were
    more. A window is shorter than a day, so bounding its start too keeps the read on the (store, window_start)
    index."""
    since = now - timedelta(days=MISSED_CALL_DAYS)
    rows = list(
        FollowUp.objects.filter(
            store__in=stores,
            status=FollowUp.Status.DONE,
            outcome=outcome,
            window_start__gte=since - timedelta(days=1),
            window_end__gte=since,
        )
        .select_related("store", "customer", "order", "assignee__user")
        .order_by("-window_end", "-id")[: BOARD_LIMIT + 1]
    )
    return rows[:BOARD_LIMIT], len(rows) > BOARD_LIMIT


def escalation_board(*, user, now: datetime, store: Store | None = None) -> EscalationBoard:
    stores = stores_managed_by(user=user)
    if store is not None:
        stores = stores.filter(pk=store.pk)
    cases = _open_cases(stores)
    next_due = DbCase(When(first_response_at__isnull=True, then=F("first_response_due")), default=F("resolution_due"))
    missed = _closed_by_sweep(stores, now, ClosedUncalled.MISSED)
    unlogged = _closed_by_sweep(stores, now, ClosedUnlogged.NOT_LOGGED)
    after_close = reviews_worse_after_close(stores=stores, now=now, limit=BOARD_LIMIT)
    return EscalationBoard(
        # Breached already, or breached within the hour.
        late=list(cases.filter(breached_q(now + SOON)).order_by(next_due, "id")[:BOARD_LIMIT]),
        unassigned=list(cases.filter(assignee__isnull=True).order_by("opened_at", "id")[:BOARD_LIMIT]),
        # By the deadline that matters now; those waiting on the customer after them, the longest wait first: their
        # resolution deadline stands still until they resume (then it moves later), so it orders nothing.
        difficult=list(
            cases.filter(triage_group=Case.TriageGroup.DIFFICULT)
            .annotate(waits=DbCase(When(status=Case.Status.AWAITING_CUSTOMER, then=Value(1)), default=Value(0)))
            .order_by("waits", F("next_due").asc(nulls_last=True), "waiting_since", "id")[:BOARD_LIMIT]
        ),
        do_not_call_complaints=list(
            cases.filter(
                customer__contact_preference__in=[
                    Customer.ContactPreference.NO_CALLS,
                    Customer.ContactPreference.DO_NOT_CONTACT,
                ]
            ).order_by("opened_at", "id")[:BOARD_LIMIT]
        ),
        # Calls that did not fit an evening's capacity and were moved by the overflow rule (callbacks).
        over_capacity=list(
            FollowUp.objects.filter(
                store__in=stores, overflowed=True, status__in=[FollowUp.Status.PLANNED, FollowUp.Status.IN_PROGRESS]
            )
            .select_related("store", "customer", "order", "assignee__user")
            .order_by("window_start", "id")[:BOARD_LIMIT]
        ),
        # Delivered orders planned nothing: their currency has no rate in the store's policy (callbacks).
        unknown_currency=list(
            FollowUp.objects.filter(
                store__in=stores,
                status=FollowUp.Status.SUPPRESSED,
                suppressed_reason=FollowUp.SuppressedReason.UNKNOWN_CURRENCY,
                created_at__gte=now - timedelta(days=UNKNOWN_CURRENCY_DAYS),
            )
            .select_related("store", "customer", "order")
            .order_by("-created_at", "-id")[:BOARD_LIMIT]
        ),
        negotiation_failed=_negotiation_failed(cases),
        escalated=_escalated(cases),
        missed_calls=missed[0],
        more_missed_calls=missed[1],
        unlogged_calls=unlogged[0],
        more_unlogged_calls=unlogged[1],
        reviews_after_close=after_close[0],
        more_reviews_after_close=after_close[1],
    )


def _managed(*, user, store: Store | None) -> QuerySet[Store]:
    stores = stores_managed_by(user=user)
    return stores if store is None else stores.filter(pk=store.pk)


def remedies_awaiting_approval(
    *, user, limit: int = BOARD_LIMIT, store: Store | None = None
) -> tuple[list[Remedy], bool]:
    """The oldest `limit` remedies waiting for the user's decision (in `store`, one they manage, when given), and
    whether more wait behind them."""
    rows = list(
        Remedy.objects.filter(status=Remedy.Status.AWAITING_APPROVAL, case__store__in=_managed(user=user, store=store))
        .select_related("case__store", "case__customer", "case__order", "proposed_by__user")
        .order_by("proposed_at", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def remedies_mark_own(*, remedies: list[Remedy], user) -> list[Remedy]:
    """Mark what the user may do on each row: `can_decide` (a manager of its store: a superuser reads every store's
    queue but decides only in the stores they manage, not in those they serve as an agent, ADR 0045), `own_proposal`
    (the user proposed it) and `another_decides` (their own, and another manager of its store approves it, ADR 0038).
    Two queries at most, whatever the rows."""
    managed = roles.managed_store_ids(user)
    own = [remedy for remedy in remedies if remedy.proposed_by.user_id == user.pk]
    others = store_ids_with_another_manager(store_ids={r.case.store_id for r in own}, user=user) if own else set()
    for remedy in remedies:
        remedy.can_decide = remedy.case.store_id in managed
        remedy.own_proposal = remedy in own
        remedy.another_decides = remedy.own_proposal and remedy.case.store_id in others
    return remedies


def remedies_mark_given(*, remedies: list[Remedy], now: datetime) -> list[Remedy]:
    """Mark each row with what its customer is given in total with it (`given`: the limit is on that, ADR 0039), so
    the manager sees why a remedy under the limit waits. One query, whatever the rows."""
    given = remedies_given(cases=[remedy.case for remedy in remedies], now=now)
    for remedy in remedies:
        remedy.given = given[remedy.case_id]
    return remedies


# Approvals nobody else looked at stay listed on the approvals page this long.
SELF_APPROVED_DAYS = 30


def remedies_self_approved(
    *, user, now: datetime, limit: int = BOARD_LIMIT, store: Store | None = None
) -> list[Remedy]:
    """Remedies approved by the manager who proposed them (the store's only manager, ADR 0038) in the last
    `SELF_APPROVED_DAYS` days (in `store`, one the user manages, when given), latest first."""
    return list(
        Remedy.objects.filter(
            self_approved=True,
            decided_at__gte=now - timedelta(days=SELF_APPROVED_DAYS),
            case__store__in=_managed(user=user, store=store),
        )
        .select_related("case__store", "case__customer", "decided_by__user")
        .order_by("-decided_at", "-id")[:limit]
    )


def remedy_for_manager(*, user, remedy_id: int) -> Remedy | None:
    return (
        Remedy.objects.filter(pk=remedy_id, case__store__in=stores_managed_by(user=user))
        .select_related("case__store", "case__customer", "proposed_by__user")
        .first()
    )


def review_for_manager(*, user, review_id: int) -> Review | None:
    """A review of the stores the user manages (a review listed on their escalations page), or None."""
    return Review.objects.filter(pk=review_id, store__in=stores_managed_by(user=user)).select_related("store").first()


def audit_entries(*, user, store: Store | None = None, action: str = "") -> QuerySet[AuditLog]:
    entries = AuditLog.objects.filter(store__in=stores_managed_by(user=user)).select_related("actor", "store")
    if store is not None:
        entries = entries.filter(store=store)
    if action:
        # No action's name has a NUL character, and PostgreSQL refuses one in a query: it matches nothing.
        entries = entries.filter(action=action) if "\x00" not in action else entries.none()
    return entries.order_by("-at", "-id")


def audit_actions(*, user) -> list[str]:
    return list(
        AuditLog.objects.filter(store__in=stores_managed_by(user=user))
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def rollup_state(*, store: Store) -> RollupRun | None:
    return RollupRun.objects.filter(store=store).first()
