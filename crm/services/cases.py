"""The case core: open (or join), timeline, causes, triage, status, remedies and their approval, close, reopen.

Joining: a case is keyed by (customer, order). A new reason about the same customer and order joins their open
case; one about another order (or none) opens its own. Joining never loses what the new reason knew: its cause is
added to the case's causes, its triage group raises the case's when more serious (a threat joining a normal case
makes it a difficult dispute, with fresh deadlines), and a call that opened or joined it counts as the first
response (the dissatisfied customer was on the phone).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.casework import case_kind_for
from crm.errors import (
    CaseClosed,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    ReasonRequired,
    RootCauseRequired,
    UnknownRootCause,
)
from crm.models import Agent, Case, CaseEvent, CaseStep, Customer, Order, Remedy, Store
from crm.money import money_text
from crm.signals import case_event_added
from crm.validators import currency_code_problem

from .assignment import case_pick_assignees
from .audit import audit_record
from .four_eyes import approval_four_eyes
from .locks import advisory_lock
from .remedy_limit import needs_approval, remedy_limit_lock
from .root_causes import root_cause_choices
from .service_time import working_later, working_time_between
from .sla import CaseDeadlines, case_compute_deadlines, clocks_started, service_hours_for

# Contact with the customer that stops the first-response clock.
FIRST_RESPONSE_KINDS = (CaseEvent.Kind.CALL, CaseEvent.Kind.SMS)
# Sources that open a case while talking to the customer: the opening itself is the first response.
CONTACT_SOURCES = (Case.Source.CALL,)
# Least to most serious: a joining reason only ever raises a case's group.
TRIAGE_RANK = {Case.TriageGroup.NORMAL: 0, Case.TriageGroup.PRIORITY: 1, Case.TriageGroup.DIFFICULT: 2}


class Resumed:
    """Why a case waiting on the customer went back to work (a resumed event's `resumed`)."""

    AGENT = "agent"  # the agent resumed it (the customer answered elsewhere, or a remedy was agreed)
    CALL = "call"  # the customer was reached on a call
    SMS = "sms"  # the customer replied by SMS
    MAX_WAIT = "max_wait"  # the store's longest wait passed


# A case joined by a reason that came from the customer themselves: they answered, so a wait on them ends.
ANSWERING_SOURCES = {Case.Source.CALL: Resumed.CALL, Case.Source.INBOUND_SMS: Resumed.SMS}


@transaction.atomic  # the event, the first response and the end of a wait are one write
def case_add_event(
    *, case: Case, kind: str, actor=None, message: str = "", data: dict[str, Any] | None = None
) -> CaseEvent:
    now = timezone.now()
    if kind in FIRST_RESPONSE_KINDS and case.first_response_at is None:
        Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(first_response_at=now)
        case.first_response_at = now
    event = _record([CaseEvent(case=case, kind=kind, actor=actor, message=message, data=data or {}, at=now)])[0]
    if kind == CaseEvent.Kind.CALL:
        # The customer was reached on a call: whatever we waited for, they are talking to us now.
        waiting = Case.objects.select_for_update().filter(pk=case.pk, status=Case.Status.AWAITING_CUSTOMER).first()
        if waiting is not None:
            case_wait_end(case=waiting, resumed=Resumed.CALL, actor=actor, now=now)
            case.status, case.resolution_due = waiting.status, waiting.resolution_due
            case.resolution_paused, case.customer_waited = waiting.resolution_paused, waiting.customer_waited
            case.waiting_since = case.waiting_until = None
    return event


def _wait_clear(*, case: Case, end: datetime) -> None:
    """The case waits no more: its wait, up to `end`, is added to the time it waited on the customer (wall clock,
    what the reports take off the time to close)."""
    if case.waiting_since is not None:
        case.customer_waited += max(end - case.waiting_since, timedelta(0))
    case.waiting_since = case.waiting_until = None
    case.waiting_for = ""


def case_wait_end(*, case: Case, resumed: str, actor=None, message: str = "", now: datetime | None = None) -> Case:
    """End the case's wait on the customer (the case is locked by the caller and waiting): it is in progress again,
    and its resolution deadline moves later by the service time the wait took, counted in the store's service
    hours and time zone like the deadline itself (ADR 0006, 0034). Writes a resumed event and an audit entry."""
    now = now or timezone.now()
    hours = service_hours_for(store=case.store)
    since = case.waiting_since
    # Never more than the store's longest wait, even when the sweep that ends it runs late: after it the clock runs.
    end = min(now, case.waiting_until) if case.waiting_until else now
    paused = working_time_between(store=case.store, start=since, end=end, hours=hours) if since else timedelta(0)
    if case.resolution_due is not None:
        case.resolution_due = working_later(store=case.store, moment=case.resolution_due, by=paused, hours=hours)
    case.resolution_paused += paused
    _wait_clear(case=case, end=end)
    case.status = Case.Status.IN_PROGRESS
    case.save(
        update_fields=[
            "status",
            "waiting_since",
            "waiting_until",
            "waiting_for",
            "resolution_due",
            "resolution_paused",
            "customer_waited",
        ]
    )
    data = {
        "resumed": resumed,
        "waited": int((now - since).total_seconds() // 60) if since else 0,
        "paused": int(paused.total_seconds() // 60),
    }
    case_add_event(case=case, kind=CaseEvent.Kind.RESUMED, actor=actor, message=message, data=data)
    audit_record(actor=actor, action="case_resumed", store=case.store, target=f"case #{case.pk}", data=data)
    return case


def _record(events: list[CaseEvent]) -> list[CaseEvent]:
    """Write timeline events and tell the other apps of each (crm.signals.case_event_added)."""
    events = CaseEvent.objects.bulk_create(events)
    for event in events:
        case_event_added.send(sender=CaseEvent, event=event)
    return events


@dataclass(frozen=True)
class CaseRequest:
    """One reason to open (or join) a case for a customer and order."""

    customer: Customer
    source: str
    order: Order | None = None
    cause: str = ""
    triage_group: str = Case.TriageGroup.NORMAL
    summary: str = ""
    triage_reasons: tuple[str, ...] = ()


@transaction.atomic
def case_open(
    *,
    store: Store,
    customer: Customer,
    source: str,
    order: Order | None = None,
    cause: str = "",
    triage_group: str = Case.TriageGroup.NORMAL,
    summary: str = "",
    actor=None,
    assignee: Agent | None = None,
    triage_reasons: Sequence[str] = (),
) -> tuple[Case, bool]:
    """Open a case, or join the open case of the same customer and order. Returns (case, created)."""
    request = CaseRequest(customer, source, order, cause, triage_group, summary, tuple(triage_reasons))
    return cases_open(store=store, requests=[request], actor=actor, assignee=assignee)[0]


@transaction.atomic
def cases_open(
    *, store: Store, requests: Sequence[CaseRequest], actor=None, assignee: Agent | None = None
) -> list[tuple[Case, bool]]:
    """Open a case for each request, or join the open case of the same customer and order, one opened by an
    earlier request of the same call included. Returns (case, created) per request, in order: the same cases,
    assignees and timeline as opening them one at a time, in a few statements instead of a dozen per case."""
    for request in requests:
        order = request.order
        if request.customer.store_id != store.id or (order is not None and order.store_id != store.id):
            raise InvalidInput(_("The customer and order must belong to the case's store."), field="customer")
    customer_ids = {request.customer.pk for request in requests}
    # A review sweep and a call outcome opening a case for one customer at once would each find none and open
    # two: the second waits here until the first commits, then sees its case and joins it.
    advisory_lock(f"case-open:{customer_id}" for customer_id in customer_ids)
    open_cases: dict[tuple[int, int | None], Case] = {}
    for case in (
        Case.objects.select_for_update()
        .filter(store=store, customer__in=customer_ids, status__in=Case.OPEN_STATUSES)
        .order_by("-opened_at", "-id")
    ):
        open_cases[case.customer_id, case.order_id] = case  # the oldest open case wins: it is written last
    now = timezone.now()
    results: list[tuple[Case, bool]] = []
    joined: dict[int, Case] = {}
    retriaged: dict[int, str] = {}  # case id -> the group it had before this call
    for request in requests:
        key = (request.customer.pk, request.order.pk if request.order else None)
        case = open_cases.get(key)
        if case is None:
            case = open_cases[key] = Case(
                store=store,
                customer=request.customer,
                order=request.order,
                source=request.source,
                cause=request.cause,
                causes=[request.cause] if request.cause else [],
                triage_group=request.triage_group,
                triage_reasons=list(request.triage_reasons),
                summary=request.summary,
                opened_at=now,
                first_response_at=now if request.source in CONTACT_SOURCES else None,
            )
            results.append((case, True))
            continue
        results.append((case, False))
        before = case.triage_group
        _join(case, request, now)
        if case.pk is not None:
            joined[case.pk] = case
            if case.triage_group != before:
                retriaged.setdefault(case.pk, before)
    if created := [case for case, is_new in results if is_new]:
        deadlines = CaseDeadlines(store)
        assignees = [assignee] * len(created) if assignee else case_pick_assignees(store=store, count=len(created))
        for case, agent in zip(created, assignees, strict=True):
            case.assignee = agent
            case.first_response_due, case.resolution_due = deadlines.for_case(case, case.opened_at)
        Case.objects.bulk_create(created)
    if retriaged:
        deadlines = CaseDeadlines(store)
        # A more serious group has tighter clocks, counted from when the case's clocks started: its opening, or the
        # reopening that started them again (counted from the first opening, a reopened case would be late at once).
        started = clocks_started([joined[case_id] for case_id in retriaged])
        for case_id in retriaged:
            case = joined[case_id]
            case.first_response_due, case.resolution_due = deadlines.for_case(case, started[case_id])
    Case.objects.bulk_update(
        joined.values(),
        [
            "cause",
            "causes",
            "triage_group",
            "triage_reasons",
            "first_response_at",
            "first_response_due",
            "resolution_due",
        ],
    )
    events = [
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.OPENED if is_new else CaseEvent.Kind.NOTE,
            actor=actor,
            message=request.summary,
            data={"source": request.source, "cause": request.cause, **({} if is_new else {"joined": True})},
            at=now,
        )
        for request, (case, is_new) in zip(requests, results, strict=True)
    ]
    events += [
        CaseEvent(
            case=joined[case_id],
            kind=CaseEvent.Kind.TRIAGE_CHANGED,
            actor=actor,
            data={"from": before, "to": joined[case_id].triage_group, "reasons": joined[case_id].triage_reasons},
            at=now,
        )
        for case_id, before in retriaged.items()
    ]
    _record(events)
    for request, (case, is_new) in zip(requests, results, strict=True):
        if not is_new and case.status == Case.Status.AWAITING_CUSTOMER and request.source in ANSWERING_SOURCES:
            case_wait_end(case=case, resumed=ANSWERING_SOURCES[request.source], actor=actor, now=now)
    return results


def _join(case: Case, request: CaseRequest, now) -> None:
    """What a joining reason adds to an open case (in memory; cases_open writes it)."""
    if request.cause and request.cause not in case.causes:
        case.causes = [*case.causes, request.cause]
    case.cause = case.cause or request.cause
    if TRIAGE_RANK[request.triage_group] > TRIAGE_RANK[case.triage_group]:
        case.triage_group = request.triage_group
    case.triage_reasons = list(dict.fromkeys([*case.triage_reasons, *request.triage_reasons]))
    if request.source in CONTACT_SOURCES and case.first_response_at is None:
        case.first_response_at = now


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_add_causes(*, case: Case, causes: Sequence[str], actor=None) -> Case:
    """Add causes to the case (the first known stays its main cause). Never removes one."""
    case = _lock(case)
    new = [c for c in dict.fromkeys(causes) if c and c not in case.causes]
    if new:
        case.causes = [*case.causes, *new]
        case.cause = case.cause or new[0]
        case.save(update_fields=["causes", "cause"])
        case_add_event(case=case, kind=CaseEvent.Kind.CAUSE_ADDED, actor=actor, data={"causes": new})
    return case


@transaction.atomic
def case_escalate(*, case: Case, actor=None, reason: str = "") -> Case:
    """Tell the manager now: the case shows on their escalations board. Once per opening."""
    case = _lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if case.escalated_at is None:
        case.escalated_at = timezone.now()
        case.save(update_fields=["escalated_at"])
        case_add_event(case=case, kind=CaseEvent.Kind.ESCALATED, actor=actor, message=reason.strip())
    return case


@transaction.atomic
def case_reassign(*, case: Case, assignee: Agent, manager: Agent) -> Case:
    """A manager of the store hands an open case to another agent of the store. Audited. A closed case stays with the
    agent who worked it: its close, its hours and its escalation are theirs in the reports."""
    case = _lock(case)
    if not roles.agent_manages_store(manager, case.store_id):
        raise PermissionDenied(_("Only a manager of this store can reassign a case."))
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if not assignee.stores.filter(pk=case.store_id).exists():
        raise InvalidInput(_("The agent does not serve this store."), field="assignee")
    if case.assignee_id != assignee.pk:
        before = case.assignee
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        case_add_event(
            case=case,
            kind=CaseEvent.Kind.ASSIGNED,
            actor=manager.user,
            data={"from": str(before or ""), "to": str(assignee)},
        )
        audit_record(
            actor=manager.user,
            action="case_reassigned",
            store=case.store,
            target=f"case #{case.pk}",
            data={"from": str(before or ""), "to": str(assignee)},
        )
    return case


@transaction.atomic
def case_set_status(*, case: Case, status: str, actor=None) -> Case:
    case = _lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if status == Case.Status.CLOSED:
        raise InvalidTransition("Use case_close to close a case: it needs a root cause.")
    if Case.Status.AWAITING_CUSTOMER in (status, case.status):
        raise InvalidTransition("Use crm.services.waiting: a wait pauses and resumes the resolution clock.")
    if status != case.status:
        old = case.status
        case.status = status
        case.save(update_fields=["status"])
        case_add_event(case=case, kind=CaseEvent.Kind.STATUS_CHANGED, actor=actor, data={"from": old, "to": status})
    return case


@transaction.atomic
def case_close(*, case: Case, root_cause: str, actor=None, note: str = "") -> Case:
    case = _lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    root_cause = root_cause.strip()
    if not root_cause:
        raise RootCauseRequired(field="root_cause")
    if root_cause not in dict(root_cause_choices(store=case.store)):
        raise UnknownRootCause(field="root_cause", root_cause=root_cause)
    if case.remedies.filter(status=Remedy.Status.AWAITING_APPROVAL).exists():
        raise InvalidTransition(_("A remedy still waits for the manager's decision."), field="status")
    if case.remedies.filter(status__in=Remedy.OWED).exists():
        raise InvalidTransition(
            _(
                "A remedy promised to the customer is not carried out yet: record how it was carried out, or "
                "withdraw it with the reason."
            ),
            field="status",
        )
    case.status, case.root_cause, case.closed_at = Case.Status.CLOSED, root_cause, timezone.now()
    # Closed while waiting on the customer (they never answered): the wait ends with the case, at most its longest.
    if case.waiting_since is not None:
        _wait_clear(case=case, end=min(case.closed_at, case.waiting_until))
    case.save(
        update_fields=[
            "status",
            "root_cause",
            "closed_at",
            "waiting_since",
            "waiting_until",
            "waiting_for",
            "customer_waited",
        ]
    )
    case_add_event(
        case=case, kind=CaseEvent.Kind.CLOSED, actor=actor, message=note, data={"root_cause": case.root_cause}
    )
    _close_step_tick(case=case, actor=actor, root_cause=root_cause)
    audit_record(
        actor=actor, action="case_closed", store=case.store, target=f"case #{case.pk}", data={"root_cause": root_cause}
    )
    return case


def _close_step_tick(*, case: Case, actor, root_cause: str) -> None:
    """Closing ticks the step of the case's kind that the close records (the root cause)."""
    for spec in case_kind_for(case=case).steps:
        if spec.by_close:
            CaseStep.objects.get_or_create(
                case=case, step=spec.code, defaults={"done_at": timezone.now(), "done_by": actor, "note": root_cause}
            )


@transaction.atomic
def case_reopen(*, case: Case, reason: str, actor=None) -> Case:
    case = _lock(case)
    if case.is_open:
        raise InvalidTransition(_("The case is already open."), field="status")
    if not reason.strip():
        raise ReasonRequired(field="reason")
    # The customer came back: both SLA clocks start again, and a new breach may be recorded and escalated again.
    case.resolution_paused = timedelta(0)  # new clocks: no wait counted yet
    case.first_response_due, case.resolution_due = case_compute_deadlines(case=case, since=timezone.now())
    case.first_response_at = case.escalated_at = case.breached_at = None
    case.status, case.closed_at, case.root_cause = Case.Status.IN_PROGRESS, None, ""
    case.save(
        update_fields=[
            "status",
            "closed_at",
            "root_cause",
            "escalated_at",
            "breached_at",
            "first_response_at",
            "first_response_due",
            "resolution_due",
            "resolution_paused",
        ]
    )
    case_add_event(case=case, kind=CaseEvent.Kind.REOPENED, actor=actor, message=reason.strip())
    return case


# The most a remedy's cost column holds (10 digits, 2 after the point).
REMEDY_COST_MAX = Decimal("99999999.99")
CENT = Decimal("0.01")


def remedy_cost_check(*, cost: Decimal) -> Decimal:
    """The cost as it will be stored, or InvalidInput on `cost`: a finite amount, not negative, in whole cents and
    within what the column holds. The page forms refuse the same; this keeps every other caller (a kind's step, a
    playbook option) from a database error or a cost rounded away from the one the timeline records."""
    if not cost.is_finite() or cost < 0:
        raise InvalidInput(_("A remedy cannot cost less than nothing."), field="cost")
    if cost != cost.quantize(CENT) or cost > REMEDY_COST_MAX:
        raise InvalidInput(
            _("Write the cost with at most two decimals, up to %(max)s.") % {"max": REMEDY_COST_MAX}, field="cost"
        )
    return cost


REFUNDS = (Remedy.Kind.REFUND, Remedy.Kind.PARTIAL_REFUND)


def remedy_currency_check(*, case: Case, kind: str, currency: str | None) -> str:
    """The currency the remedy is written in, or InvalidInput on `currency`: by default the case's (its order's, else
    its store's: ADR 0036), else the ISO code the caller wrote the cost in (a playbook option is in the store's). A
    refund gives back the order's money, so it is in the order's currency: a refund in another would be measured
    against the order's total blindly, with no rate to convert it (crm holds none)."""
    currency = case.remedy_currency if currency is None else currency.strip().upper()
    if problem := currency_code_problem(currency):
        raise InvalidInput(problem, field="currency")
    order = case.order
    if kind in REFUNDS and order is not None and currency != order.currency:
        raise InvalidInput(
            _("A refund gives back what the order was paid in, %(order)s; this one is written in %(currency)s.")
            % {"order": order.currency, "currency": currency},
            field="currency",
        )
    return currency


def refundable_total(*, case: Case) -> Decimal | None:
    """What the customer paid for the case's order, in the order's currency (refunds are written in it); None
    without an order, when a refund has nothing to be measured against."""
    return None if case.order is None else case.order.total_amount


def refunded_already(*, order: Order) -> Decimal:
    """What the refunds of this order that still stand (any case about it; not declined, not withdrawn) give back, in
    its currency. A standing refund written in another currency (one from before refunds followed the order's
    currency) cannot be added to it: InvalidInput on `currency`, for the manager to withdraw or correct it."""
    refunds = Remedy.objects.filter(kind__in=REFUNDS, case__order_id=order.pk).exclude(
        status__in=[Remedy.Status.DECLINED, Remedy.Status.WITHDRAWN]
    )
    totals = dict(refunds.values("currency").annotate(total=Sum("cost")).values_list("currency", "total").order_by())
    if others := sorted(set(totals) - {order.currency}):
        raise InvalidInput(
            _(
                "A refund of this order that stands is written in %(others)s, not in the order's %(currency)s: it "
                "cannot be added up with this one. Withdraw it and write it again in %(currency)s."
            )
            % {"others": ", ".join(others), "currency": order.currency},
            field="currency",
        )
    return totals.get(order.currency) or Decimal("0")


def remedy_refund_check(*, case: Case, kind: str, cost: Decimal, currency: str) -> Decimal:
    """A refund gives back money the customer paid: never nothing, never more than is left of the order's total after
    the refunds of it that stand, and a full one exactly the total, on an order nothing was refunded of yet. A full
    refund written for less would slip under the agent's limit without the manager's approval, and refunds past the
    total pay out money the store never took (a second case about the order, a partial refund and then a full one).
    Every amount is the order's currency's (remedy_currency_check refused a refund in another)."""
    if kind not in REFUNDS:
        return cost
    total = refundable_total(case=case)
    if total is not None:
        # The order's row is locked: two cases about one order cannot both refund what is left of it.
        order = Order.objects.select_for_update().get(pk=case.order_id)
        if currency != order.currency:  # callers check it first; an amount is never compared across currencies
            raise InvalidInput(_("A refund is written in the order's currency."), field="currency")
        refunded = refunded_already(order=order)
        figures = {
            "total": money_text(total, currency),
            "refunded": money_text(refunded, currency),
            "left": money_text(total - refunded, currency),
        }
        if kind == Remedy.Kind.REFUND and refunded:
            message = _(
                "%(refunded)s of this order's %(total)s is refunded already: refund the rest, %(left)s, as a partial "
                "refund."
            )
            raise InvalidInput(message % figures, field="cost")
        if kind == Remedy.Kind.REFUND and cost != total:
            message = _("A full refund is the order's total, %(total)s; for less, choose a partial refund.")
            raise InvalidInput(message % figures, field="cost")
        if cost > total - refunded:
            message = (
                _("At most %(left)s is left to refund of this order (%(total)s, %(refunded)s refunded).")
                if refunded
                else _("A refund cannot be more than the order's total, %(total)s.")
            )
            raise InvalidInput(message % figures, field="cost")
    if cost == 0:
        raise InvalidInput(_("Give the amount refunded."), field="cost")
    return cost


@transaction.atomic
def remedy_propose(
    *, case: Case, agent: Agent, kind: str, cost: Decimal, description: str = "", currency: str | None = None
) -> Remedy:
    """An agreed remedy stands at once while what the customer is given in total stays within the store's agent limit
    (crm.services.remedy_limit, ADR 0039); above it the case waits for a manager. It is written in the case's currency
    unless the caller says which it wrote the cost in (remedy_currency_check).

    The same remedy proposed again by the same agent while the first still stands (agreed or awaiting approval) is
    that first one, not a second: a form submitted twice must not promise, or ask the manager for, twice the money.
    """
    case = _lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if kind not in Remedy.Kind.values:
        raise InvalidInput(f"Unknown remedy kind {kind!r}.", field="kind")
    cost = remedy_cost_check(cost=cost)
    currency = remedy_currency_check(case=case, kind=kind, currency=currency)
    # Another proposal for this customer or order (on this case or another) waits here until this one is written.
    remedy_limit_lock(case)
    standing = case.remedies.filter(
        kind=kind,
        cost=cost,
        currency=currency,
        description=description,
        proposed_by=agent,
        status__in=[Remedy.Status.AGREED, Remedy.Status.AWAITING_APPROVAL],
    ).first()
    if standing is not None:
        return standing
    # After: a form sent twice is the first, not refused.
    remedy_refund_check(case=case, kind=kind, cost=cost, currency=currency)
    awaiting = needs_approval(case=case, cost=cost, currency=currency)
    if case.status == Case.Status.AWAITING_CUSTOMER:
        # A remedy agreed means the customer answered (they accepted the offer): the case is worked again.
        case_wait_end(case=case, resumed=Resumed.AGENT, actor=agent.user)
    remedy = Remedy.objects.create(
        case=case,
        kind=kind,
        cost=cost,
        currency=currency,
        description=description,
        status=Remedy.Status.AWAITING_APPROVAL if awaiting else Remedy.Status.AGREED,
        proposed_by=agent,
        proposed_at=timezone.now(),
    )
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.REMEDY_PROPOSED,
        actor=agent.user,
        message=description,
        data={"remedy_kind": kind, "cost": str(cost), "currency": currency, "awaiting_approval": awaiting},
    )
    target_status = Case.Status.AWAITING_APPROVAL if awaiting else Case.Status.IN_PROGRESS
    if case.status != target_status:
        case.status = target_status
        case.save(update_fields=["status"])
    return remedy


def _decide(*, remedy: Remedy, manager: Agent, approve: bool, reason: str) -> Remedy:
    # The case first, as a proposal locks it: a remedy proposed meanwhile is seen, and the case's status with it.
    case = Case.objects.select_for_update(of=("self",)).select_related("store").get(pk=remedy.case_id)
    remedy = Remedy.objects.select_for_update().get(pk=remedy.pk)
    remedy.case = case
    if not roles.agent_manages_store(manager, case.store_id):
        raise PermissionDenied(_("Only a manager of this store can decide on a remedy."))
    decided = Remedy.Status.APPROVED if approve else Remedy.Status.DECLINED
    if remedy.status == decided and remedy.decided_by_id == manager.pk:
        return remedy  # the same decision posted again (a double click): it stands, recorded once
    if remedy.status != Remedy.Status.AWAITING_APPROVAL:
        # Another manager (or this one, in another tab) decided first: say who, not only that it cannot be done. A
        # withdrawal is not a decision: whoever approved it did not withdraw it.
        if remedy.status == Remedy.Status.WITHDRAWN:
            message = _("This remedy was withdrawn: nothing waits for your decision.")
        elif remedy.decided_by is not None:
            message = _("This remedy was already decided: %(status)s by %(manager)s.") % {
                "status": remedy.get_status_display(),
                "manager": remedy.decided_by,
            }
        else:
            message = _("This remedy is not waiting for a decision.")
        raise InvalidTransition(message, remedy_id=remedy.pk)
    if not approve and not reason.strip():
        raise ReasonRequired(_("A declined remedy needs a reason."), field="reason")
    own = remedy.proposed_by_id == manager.pk
    remedy.self_approved = approve and approval_four_eyes(store=case.store, manager=manager, own=own)
    remedy.status = Remedy.Status.APPROVED if approve else Remedy.Status.DECLINED
    remedy.decided_by, remedy.decided_at, remedy.decision_reason = manager, timezone.now(), reason.strip()
    remedy.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "self_approved"])
    self_approved = {"self_approved": True} if remedy.self_approved else {}
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.REMEDY_APPROVED if approve else CaseEvent.Kind.REMEDY_DECLINED,
        actor=manager.user,
        message=reason.strip(),
        data={"remedy_kind": remedy.kind, "cost": str(remedy.cost), "currency": remedy.currency, **self_approved},
    )
    audit_record(
        actor=manager.user,
        action="remedy_approved" if approve else "remedy_declined",
        store=case.store,
        target=f"case #{case.pk}",
        data={
            "kind": remedy.kind,
            "cost": str(remedy.cost),
            "currency": remedy.currency,
            "reason": remedy.decision_reason,
            **self_approved,
        },
    )
    case_resume_when_nothing_awaits(case)
    return remedy


def case_resume_when_nothing_awaits(case: Case) -> None:
    """A case waiting for the manager goes back to in progress once none of its remedies waits any more (a decision,
    a withdrawal). The case is locked by the caller."""
    if (
        case.status == Case.Status.AWAITING_APPROVAL
        and not case.remedies.filter(status=Remedy.Status.AWAITING_APPROVAL).exists()
    ):
        case.status = Case.Status.IN_PROGRESS
        case.save(update_fields=["status"])


@transaction.atomic
def remedy_approve(*, remedy: Remedy, manager: Agent, reason: str = "") -> Remedy:
    return _decide(remedy=remedy, manager=manager, approve=True, reason=reason)


@transaction.atomic
def remedy_decline(*, remedy: Remedy, manager: Agent, reason: str) -> Remedy:
    return _decide(remedy=remedy, manager=manager, approve=False, reason=reason)
