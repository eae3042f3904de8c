"""A complaint's four steps (a case opened by a call, an inbound SMS, a logistics exception or by hand).

1. confirm: the complaint, in the customer's words, and what they ask for;
2. assess: its severity against the store's policy — what they ask is within the agent's remedy limit, or the
   case is escalated to the manager;
3. negotiate: two or three pre-approved options from the store's playbook for its causes are offered and the one
   chosen becomes the case's remedy (awaiting the manager's approval above the agent's limit); when no option is
   accepted the agent marks the negotiation failed (crm.services.escalation);
4. follow up: the remedy was carried out (its reference recorded) and the customer confirmed, by a call or an
   SMS reply, that it put things right.

Registered as crm's own case kind in CrmConfig.ready() through the same hook every other kind uses (ADR 0023).
"""

from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import form_fields
from crm.casework import CaseKind, StepSpec
from crm.errors import InvalidInput, StepNotReady
from crm.models import CAUSE_VALUES, Agent, Case, CaseCause, CaseEvent, Remedy
from crm.money import money_text

from .cases import case_add_causes, case_escalate, remedy_propose
from .casework import case_lock_open, case_step_mark, case_step_require, remedy_confirm
from .playbook import plays_for
from .remedy_limit import case_given, needs_approval


class Step:
    CONFIRM = "confirm"
    ASSESS = "assess"
    NEGOTIATE = "negotiate"
    FOLLOW_UP = "follow_up"


class Severity:
    MINOR = "minor"
    SERIOUS = "serious"
    SEVERE = "severe"
    CHOICES = [
        (MINOR, gettext_lazy("Minor: an inconvenience")),
        (SERIOUS, gettext_lazy("Serious: the product or delivery failed")),
        (SEVERE, gettext_lazy("Severe: safety, a threat to go public or to the platform")),
    ]


CAUSE_CHOICES = [(value, label) for value, label in CaseCause.choices if value]


@transaction.atomic
def complaint_confirm(*, case: Case, actor, customer_asks: str, causes: list[str] | None = None, note: str = ""):
    case = case_lock_open(case)
    customer_asks = customer_asks.strip()
    if not customer_asks:
        raise InvalidInput(_("Write down what the customer asks for."), field="customer_asks")
    if unknown := [c for c in causes or [] if c not in CAUSE_VALUES]:
        raise InvalidInput(_("Unknown cause."), field="causes", causes=unknown)
    if causes:
        case_add_causes(case=case, causes=causes, actor=actor)
    return case_step_mark(
        case=case, step=Step.CONFIRM, actor=actor, note=note, data={"customer_asks": customer_asks[:500]}
    )


@transaction.atomic
def complaint_assess(
    *, case: Case, actor, severity: str, asked_amount: Decimal | None = None, escalate: bool = False, note: str = ""
):
    """Within the agent's limit the agent goes on; above it, or when severe, or when the agent asks, the manager is
    told now (the case is escalated) — the agent still negotiates, and a remedy above the limit needs approval. The
    amount asked counts with what the customer is given already (ADR 0039); it is in the case's currency, the limit
    is in the store's, and an amount in another currency is never within it (crm.services.remedy_limit)."""
    case = case_lock_open(case)
    case_step_require(case=case, step=Step.CONFIRM, message=_("Confirm the complaint first."))
    if severity not in dict(Severity.CHOICES):
        raise InvalidInput(_("Choose how severe the complaint is."), field="severity")
    if asked_amount is not None and asked_amount < 0:
        raise InvalidInput(_("An amount cannot be less than nothing."), field="asked_amount")
    limit, currency = case.store.agent_remedy_limit, case.remedy_currency
    given = case_given(case)  # what the customer is given already counts with what they ask (ADR 0039)
    within_limit = asked_amount is None or not needs_approval(
        case=case, cost=asked_amount, currency=currency, given=given
    )
    escalated = escalate or not within_limit or severity == Severity.SEVERE
    step = case_step_mark(
        case=case,
        step=Step.ASSESS,
        actor=actor,
        note=note,
        data={
            "severity": severity,
            "asked_amount": None if asked_amount is None else str(asked_amount),
            "currency": currency,
            "limit": str(limit),
            "limit_currency": case.store.currency,
            "given": str(given.amount(case.store.currency)),
            "within_limit": within_limit,
            "escalated": escalated,
        },
    )
    if escalated:
        case_escalate(case=case, actor=actor, reason=note or _("Assessed beyond the agent's limit."))
    return step


def complaint_options(*, case: Case):
    """The playbook's options for the case's causes, as the negotiate form offers them."""
    return plays_for(store=case.store, causes=case.causes or ([case.cause] if case.cause else []))


@transaction.atomic
def complaint_negotiate(*, case: Case, actor, agent: Agent | None, offered: list[str], chosen: str, note: str = ""):
    """Record the options offered (two or three from the playbook, fewer only if the playbook has fewer) and the
    one the customer chose, which is proposed as the case's remedy."""
    case = case_lock_open(case)
    case_step_require(case=case, step=Step.ASSESS, message=_("Assess the complaint first."))
    if agent is None:
        raise InvalidInput(_("Your account has no agent profile."), field="agent")
    options = {play.key: play for play in complaint_options(case=case)}
    offered = list(dict.fromkeys(offered))
    if unknown := [key for key in offered if key not in options]:
        raise InvalidInput(_("Offer options from the store's playbook."), field="offered", options=unknown)
    if not min(2, len(options)) <= len(offered) <= 3:
        raise InvalidInput(_("Offer two or three options from the playbook."), field="offered")
    if chosen not in offered:
        raise InvalidInput(_("Record the option the customer chose, from those offered."), field="chosen")
    play = options[chosen]
    # The playbook's amounts are in the store's currency (ADR 0036).
    currency = case.store.currency
    remedy_propose(
        case=case, agent=agent, kind=play.kind, cost=play.cost, description=str(play.script), currency=currency
    )
    return case_step_mark(
        case=case,
        step=Step.NEGOTIATE,
        actor=actor,
        note=note,
        data={
            "offered": offered,
            "chosen": chosen,
            "remedy_kind": play.kind,
            "cost": str(play.cost),
            "currency": currency,
        },
    )


@transaction.atomic
def complaint_follow_up(*, case: Case, actor, via: str, note: str = ""):
    """The remedy was carried out and the customer confirmed, by a call or an SMS reply, that it put it right."""
    case = case_lock_open(case)
    case_step_require(case=case, step=Step.NEGOTIATE, message=_("Agree a remedy first."))
    remedy = case.remedies.filter(status=Remedy.Status.FULFILLED).order_by("-fulfilled_at").first()
    if remedy is None and not case.remedies.filter(status=Remedy.Status.CONFIRMED).exists():
        raise StepNotReady(_("Record how the remedy was carried out (its reference) first."), field="step")
    if remedy is not None:
        remedy_confirm(remedy=remedy, actor=actor, via=via)
    kind = CaseEvent.Kind.CALL if via == Remedy.Channel.CALL else CaseEvent.Kind.STEP_DONE
    return case_step_mark(case=case, step=Step.FOLLOW_UP, actor=actor, note=note, data={"via": via}, event_kind=kind)


class ConfirmForm(forms.Form):
    customer_asks = forms.CharField(label=gettext_lazy("What the customer asks for"), max_length=500)
    causes = forms.MultipleChoiceField(
        label=gettext_lazy("Causes"), choices=CAUSE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=gettext_lazy("The complaint in the customer's words"), required=False, max_length=2000)


class AssessForm(forms.Form):
    needs_case = True  # the amount's label says the case's currency
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.CHOICES)
    asked_amount = form_fields.DecimalField(required=False, min_value=0, max_digits=10, decimal_places=2)
    escalate = forms.BooleanField(label=gettext_lazy("Escalate to the manager"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asked_amount"].label = _("What it would cost (%(currency)s)") % {"currency": case.remedy_currency}


class NegotiateForm(forms.Form):
    needs_case = True  # its choices are the case's playbook options
    offered = forms.MultipleChoiceField(label=gettext_lazy("Options offered"), widget=forms.CheckboxSelectMultiple)
    chosen = forms.ChoiceField(label=gettext_lazy("The customer chose"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        currency = case.store.currency  # the playbook's amounts are the store's (ADR 0036)
        choices = [(p.key, f"{p.script} ({money_text(p.cost, currency)})") for p in complaint_options(case=case)]
        self.fields["offered"].choices = self.fields["chosen"].choices = choices


class FollowUpForm(forms.Form):
    via = forms.ChoiceField(label=gettext_lazy("The customer confirmed by"), choices=Remedy.Channel.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


COMPLAINT = CaseKind(
    code="complaint",
    label=gettext_lazy("Complaint"),
    sources=(
        Case.Source.CALL,
        Case.Source.INBOUND_SMS,
        Case.Source.MANUAL,
        Case.Source.LOGISTICS,
        Case.Source.RETURN_VISIT,
    ),
    steps=(
        StepSpec(
            Step.CONFIRM,
            gettext_lazy("Confirm the complaint and what the customer asks for"),
            form=ConfirmForm,
            perform=lambda *, case, actor, agent, **data: complaint_confirm(case=case, actor=actor, **data),
            template="crm/cases/steps/_form.html",
        ),
        StepSpec(
            Step.ASSESS,
            gettext_lazy("Assess the severity against the store's policy"),
            help=gettext_lazy("Within your remedy limit you go on; above it the manager is told now."),
            form=AssessForm,
            perform=lambda *, case, actor, agent, **data: complaint_assess(case=case, actor=actor, **data),
            template="crm/cases/steps/_form.html",
        ),
        StepSpec(
            Step.NEGOTIATE,
            gettext_lazy("Negotiate: offer two or three options and record the one chosen"),
            form=NegotiateForm,
            perform=lambda *, case, actor, agent, **data: complaint_negotiate(
                case=case, actor=actor, agent=agent, **data
            ),
            template="crm/cases/steps/_negotiate.html",
        ),
        StepSpec(
            Step.FOLLOW_UP,
            gettext_lazy("Carry it out and follow up: the customer confirms it is put right"),
            form=FollowUpForm,
            perform=lambda *, case, actor, agent, **data: complaint_follow_up(case=case, actor=actor, **data),
            template="crm/cases/steps/_form.html",
        ),
    ),
)
