"""Calls about a crm case, from the case page: open the call panel for it, log what came of each attempt.

A case call is not an evening follow-up (ADR 0012): it is opened on demand by the agent who will call, and every
logged attempt lands on the case's timeline through crm's `case_add_event` (a reached call as a `call`, which stops
the first-response clock; anything else as a `call_attempt`). Apps that care (reviews ticks its apology step) hear
of it through crm's `case_event_added` signal, so neither they nor crm import callbacks.

Double clicks cannot place two calls or log one attempt twice: `case_call_start` locks the row and refuses while a
call is under way, and outcomes follow ADR 0009 (expected attempt number under a row lock, unique (case_call, seq)).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.errors import CallNotAllowed, CaseCallClosed, CaseCallNotFound, FollowUpChanged
from callbacks.models import CallAttempt, CaseCall, CaseCallOutcome
from callbacks.selectors import case_calls_for_user
from crm.errors import CaseClosed, InvalidInput, PermissionDenied
from crm.models import Agent, Case, CaseEvent
from crm.services.audit import audit_record
from crm.services.cases import case_add_event
from crm.services.locks import customers_lock

from .gate import customer_stop_calls
from .policy import policy_for_store

# Why a case call changed hands, as its audit entry stores it (crm.readable.details.HANDOVER_REASONS says it in words).
CASE_REASSIGNED = "case_reassigned"


@transaction.atomic
def case_call_open(*, case: Case, agent: Agent) -> tuple[CaseCall, bool]:
    """The open call of the case, or a new one, assigned to the agent who clicked. Returns (case_call, created).

    Idempotent: a second click finds the same row. A colleague's open call is handed over to this agent unless
    the colleague is on the phone with the customer right now.
    """
    customers_lock([case.customer_id])  # the customer before the case and its call (ADR 0037)
    case = Case.objects.select_for_update(of=("self",)).select_related("store", "customer").get(pk=case.pk)
    if not agent.user.is_active or not agent.stores.filter(pk=case.store_id).exists():
        raise PermissionDenied(_("The agent does not serve this store."))
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    existing = CaseCall.objects.select_for_update().filter(case=case, status__in=CaseCall.OPEN_STATUSES).first()
    if existing is None:
        case_call = CaseCall.objects.create(
            case=case, store=case.store, customer=case.customer, assignee=agent, created_at=timezone.now()
        )
        return case_call, True
    if existing.assignee_id != agent.pk:
        if existing.is_on_the_phone():
            raise CallNotAllowed(_("A colleague is on the phone with this customer now."), case_call_id=existing.pk)
        existing.assignee = agent
        existing.save(update_fields=["assignee", "updated_at"])
    return existing, False


def case_call_follow_case(*, case_call: CaseCall, why: str, actor=None) -> bool:
    """The open case call (locked by the caller, with its case) goes to its case's assignee, attempts kept, unless
    that agent no longer serves the store or the call's agent is on the phone about it now: then whoever next opens
    the call from the case page takes it over (`case_call_open`). Audited. Returns whether it changed hands."""
    successor = case_call.case.assignee_id
    if successor is None or successor == case_call.assignee_id or case_call.is_on_the_phone():
        return False
    if not Agent.objects.filter(pk=successor, stores=case_call.store_id, user__is_active=True).exists():
        return False
    before = case_call.assignee_id
    case_call.assignee_id = successor
    case_call.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=actor,
        action="case_call.reassigned",
        store=case_call.store,
        target=f"case_call:{case_call.pk}",
        data={"from_agent_id": before, "to_agent_id": successor, "why": why},
    )
    return True


@transaction.atomic
def case_calls_follow_reassigned_case(*, event: CaseEvent) -> None:
    """A case given to another agent (a manager's reassignment, a handover) takes its open call with it: the call's
    panel is the new assignee's to work, and the one who had it may no longer see the case."""
    case_call = (
        CaseCall.objects.select_for_update(of=("self",))
        .select_related("store", "case")
        .filter(case_id=event.case_id, status__in=CaseCall.OPEN_STATUSES)
        .first()
    )
    if case_call is not None:
        case_call_follow_case(case_call=case_call, why=event.data.get("why", CASE_REASSIGNED), actor=event.actor)


def _lock(*, case_call: CaseCall, agent: Agent) -> CaseCall:
    # The customer before the call (ADR 0037): "do not call" writes the customer's wishes.
    customers_lock([case_call.customer_id])
    locked = (
        case_calls_for_user(user=agent.user)
        .select_for_update(of=("self",))
        .select_related("store", "customer", "case")
        .filter(pk=case_call.pk)
        .first()
    )
    if locked is None:
        raise CaseCallNotFound(case_call_id=case_call.pk)
    return locked


@transaction.atomic
def case_call_log_outcome(
    *, case_call: CaseCall, agent: Agent, outcome: str, expected_seq: int, note: str = ""
) -> CallAttempt:
    """Log one attempt and put it on the case's timeline. No answer leaves the call open for another try while
    the store's `max_call_attempts` allows; every other outcome closes it."""
    if outcome not in CaseCallOutcome.values:
        raise InvalidInput(_("Unknown outcome."), field="outcome")
    case_call = _lock(case_call=case_call, agent=agent)
    if case_call.status not in CaseCall.OPEN_STATUSES:
        raise CaseCallClosed(case_call_id=case_call.pk)
    seq = case_call.call_attempts.count() + 1
    if expected_seq != seq:
        raise FollowUpChanged(case_call_id=case_call.pk, expected_seq=expected_seq, seq=seq)

    now, note = timezone.now(), note.strip()
    case_call.attempts += 1
    case_call.outcome = outcome
    retry = (
        outcome == CaseCallOutcome.NO_ANSWER
        and case_call.attempts < policy_for_store(store=case_call.store).max_call_attempts
    )
    case_call.status = CaseCall.Status.PLANNED if retry else CaseCall.Status.DONE
    case_call.save(update_fields=["attempts", "outcome", "status", "updated_at"])
    if outcome == CaseCallOutcome.DO_NOT_CALL:
        customer_stop_calls(customer=case_call.customer, agent=agent)
    call = case_call.calls.order_by("-started_at", "-pk").first()
    case_add_event(
        case=case_call.case,
        kind=CaseEvent.Kind.CALL if outcome == CaseCallOutcome.REACHED else CaseEvent.Kind.CALL_ATTEMPT,
        actor=agent.user,
        message=note,
        data={
            "outcome": outcome,
            "attempt": seq,
            "case_call": case_call.pk,
            **({"call": call.provider_id, "call_status": call.status} if call else {}),
        },
    )
    return CallAttempt.objects.create(
        case_call=case_call, case=case_call.case, seq=seq, agent=agent, outcome=outcome, note=note, at=now
    )
