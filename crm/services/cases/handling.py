"""An open case while it is worked: causes it gains, an escalation to the manager, another agent."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.errors import CaseClosed, InvalidInput, PermissionDenied
from crm.models import Agent, Case, CaseEvent

from ..audit import audit_record
from ..locks import case_lock
from .timeline import case_add_event


@transaction.atomic
def case_add_causes(*, case: Case, causes: Sequence[str], actor=None) -> Case:
    """Add causes to the case (the first known stays its main cause). Never removes one."""
    case = case_lock(case)
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
    case = case_lock(case)
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
    case = case_lock(case)
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
