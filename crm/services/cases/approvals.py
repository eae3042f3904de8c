"""A manager's decision on a remedy that waits for one, and the case going back to work once none waits."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.errors import InvalidTransition, PermissionDenied, ReasonRequired
from crm.models import Agent, Case, CaseEvent, Remedy

from ..audit import audit_record
from ..four_eyes import approval_four_eyes
from .timeline import case_add_event


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
