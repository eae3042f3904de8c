"""Opening a case, or joining the open one.

Joining: a case is keyed by (customer, order). A new reason about the same customer and order joins their open
case; one about another order (or none) opens its own. Joining never loses what the new reason knew: its cause is
added to the case's causes, its triage group raises the case's when more serious (a threat joining a normal case
makes it a difficult dispute, with fresh deadlines), and a call that opened or joined it counts as the first
response (the dissatisfied customer was on the phone).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import InvalidInput
from crm.models import Agent, Case, CaseEvent, Customer, Order, Store

from ..assignment import case_pick_assignees
from ..locks import advisory_lock
from ..sla import CaseDeadlines, clocks_started
from .timeline import Resumed, case_wait_end, events_record

# Sources that open a case while talking to the customer: the opening itself is the first response.
CONTACT_SOURCES = (Case.Source.CALL,)
# Least to most serious: a joining reason only ever raises a case's group.
TRIAGE_RANK = {Case.TriageGroup.NORMAL: 0, Case.TriageGroup.PRIORITY: 1, Case.TriageGroup.DIFFICULT: 2}
# A case joined by a reason that came from the customer themselves: they answered, so a wait on them ends.
ANSWERING_SOURCES = {Case.Source.CALL: Resumed.CALL, Case.Source.INBOUND_SMS: Resumed.SMS}


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
    events_record(events)
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
