"""Closing a case with its root cause, and reopening it when the customer comes back."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.casework import case_kind_for
from crm.errors import CaseClosed, InvalidTransition, ReasonRequired, RootCauseRequired, UnknownRootCause
from crm.models import Case, CaseEvent, CaseStep, Remedy

from ..audit import audit_record
from ..locks import case_lock
from ..root_causes import root_cause_choices
from ..sla import case_compute_deadlines
from .timeline import case_add_event, wait_clear


@transaction.atomic
def case_close(*, case: Case, root_cause: str, actor=None, note: str = "") -> Case:
    case = case_lock(case)
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
        wait_clear(case=case, end=min(case.closed_at, case.waiting_until))
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
    case = case_lock(case)
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
