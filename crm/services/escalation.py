"""When negotiation fails: the agent marks it, the case waits on the manager's escalations with the options
tried, and the manager's decision (a higher remedy, a refund, or the platform's dispute process) is recorded."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.errors import CaseClosed, InvalidInput, InvalidTransition, PermissionDenied
from crm.models import Agent, Case, CaseEvent, CaseStep, Remedy

from .audit import audit_record
from .cases import case_add_event, refundable_total, remedy_cost_check, remedy_currency_check, remedy_refund_check
from .four_eyes import approval_four_eyes
from .locks import case_lock
from .remedy_limit import remedy_limit_lock

# The remedy each decision records; the platform's dispute process records none.
DECISION_REMEDY = {Case.Decision.HIGHER_REMEDY: None, Case.Decision.REFUND: Remedy.Kind.REFUND}


def options_tried(*, case: Case) -> list[str]:
    """The playbook options offered (cause:kind keys) in the negotiate step or when it failed."""
    step = CaseStep.objects.filter(case=case, step="negotiate").first()
    failed = case.events.filter(kind=CaseEvent.Kind.NEGOTIATION_FAILED).order_by("-at").first()
    return list(
        dict.fromkeys(
            [*(step.data.get("offered", []) if step else []), *(failed.data.get("offered", []) if failed else [])]
        )
    )


@transaction.atomic
def case_negotiation_fail(*, case: Case, actor, offered: list[str], note: str = "") -> Case:
    """No option was accepted: the case goes to the manager, who decides."""
    case = case_lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if not note.strip():
        raise InvalidInput(_("Say what the customer would not accept."), field="note")
    now = timezone.now()
    case.negotiation_failed_at = now
    case.escalated_at = case.escalated_at or now
    case.manager_decision, case.manager_decision_note, case.manager_decided_at, case.manager_decided_by = (
        "",
        "",
        None,
        None,
    )
    case.save(
        update_fields=[
            "negotiation_failed_at",
            "escalated_at",
            "manager_decision",
            "manager_decision_note",
            "manager_decided_at",
            "manager_decided_by",
        ]
    )
    case_add_event(
        case=case, kind=CaseEvent.Kind.NEGOTIATION_FAILED, actor=actor, message=note.strip(), data={"offered": offered}
    )
    return case


@transaction.atomic
def case_manager_decide(
    *,
    case: Case,
    manager: Agent,
    decision: str,
    note: str = "",
    kind: str = Remedy.Kind.PARTIAL_REFUND,
    cost: Decimal = Decimal("0"),
    currency: str | None = None,
) -> Case:
    """The manager's decision on a failed negotiation. A higher remedy or a refund is recorded as a remedy the
    manager approved (it can be carried out at once), in the case's currency unless told which (ADR 0036); the
    platform's dispute process records no remedy. Audited."""
    case = Case.objects.select_for_update(of=("self",)).select_related("store").get(pk=case.pk)
    if not roles.agent_manages_store(manager, case.store_id):
        raise PermissionDenied(_("Only a manager of this store can decide."))
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if case.manager_decision == decision and case.manager_decided_by_id == manager.pk:
        return case  # the same decision posted again (a double click): it stands, recorded once
    if case.manager_decision:
        # Another manager (or this one, in another tab) decided first: say who and what, not only that it is too late.
        raise InvalidTransition(
            _("%(manager)s already decided: %(decision)s.")
            % {
                "manager": case.manager_decided_by or _("Another manager"),
                "decision": case.get_manager_decision_display(),
            },
            field="decision",
        )
    if case.negotiation_failed_at is None:
        raise InvalidTransition(_("Nothing waits for your decision on this case."), field="decision")
    if decision not in Case.Decision.values or not decision:
        raise InvalidInput(_("Choose a decision."), field="decision")
    cost = remedy_cost_check(cost=cost)
    now = timezone.now()
    remedy_currency = ""
    self_approved = False
    if decision in DECISION_REMEDY:
        remedy_kind = DECISION_REMEDY[decision] or kind
        if remedy_kind not in Remedy.Kind.values:
            raise InvalidInput(f"Unknown remedy kind {remedy_kind!r}.", field="kind")
        remedy_currency = remedy_currency_check(case=case, kind=remedy_kind, currency=currency)
        # The remedy is approved by this decision: not by the manager who sent the case here, if another can decide.
        own = negotiation_failed_by(case=case, user=manager.user)
        self_approved = approval_four_eyes(store=case.store, manager=manager, own=own)
        # It adds to what the customer is given: an agent's proposal meanwhile is measured with it (ADR 0039).
        remedy_limit_lock(case)
        if decision == Case.Decision.REFUND and not cost:
            # The form's amount is a higher remedy's and starts at 0: a refund gives back what the customer paid.
            cost = refundable_total(case=case) or cost
        cost = remedy_refund_check(case=case, kind=remedy_kind, cost=cost, currency=remedy_currency)
        Remedy.objects.create(
            case=case,
            kind=remedy_kind,
            cost=cost,
            currency=remedy_currency,
            description=note.strip(),
            status=Remedy.Status.APPROVED,
            proposed_by=manager,
            proposed_at=now,
            decided_by=manager,
            decided_at=now,
            decision_reason=note.strip(),
            self_approved=self_approved,
        )
    case.manager_decision, case.manager_decision_note = decision, note.strip()
    case.manager_decided_at, case.manager_decided_by = now, manager
    case.save(update_fields=["manager_decision", "manager_decision_note", "manager_decided_at", "manager_decided_by"])
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.MANAGER_DECIDED,
        actor=manager.user,
        message=note.strip(),
        data={
            "decision": decision,
            "cost": str(cost),
            "currency": remedy_currency,
            **({"self_approved": True} if self_approved else {}),
        },
    )
    audit_record(
        actor=manager.user,
        action="case_manager_decision",
        store=case.store,
        target=f"case #{case.pk}",
        data={
            "decision": decision,
            "cost": str(cost),
            "currency": remedy_currency,
            "note": note.strip(),
            **({"self_approved": True} if self_approved else {}),
        },
    )
    return case


def negotiation_failed_by(*, case: Case, user) -> bool:
    """Whether `user` marked the case's negotiation failed (the latest time): they negotiated, so the remedy their
    decision records is their own proposal (ADR 0038)."""
    failed = case.events.filter(kind=CaseEvent.Kind.NEGOTIATION_FAILED).order_by("-at", "-id").first()
    return failed is not None and failed.actor_id == user.pk
