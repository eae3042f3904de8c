"""What the case workspace shows: the parts of a case page (steps of its kind, evidence, remedies, escalation,
close and reopen) with their forms, read in a fixed number of queries whatever the case holds.

Used by crm's case page and by any page that embeds the same components (the review page).
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from crm.casework import StepSpec, case_kind_for, case_panels, triage_reason_label
from crm.evidence_removal import evidence_removal_text, evidence_removed_label
from crm.forms import (
    EvidenceForm,
    ManagerDecisionForm,
    RemedyConfirmForm,
)
from crm.models import Case, CaseCause, CaseEvidence, CaseStep, Remedy
from crm.readable.timeline import event_lines, event_title
from crm.selectors import agents_serving, case_timeline_events, store_ids_with_another_manager
from crm.selectors.remedies import GIVEN_WINDOW, remedies_given
from crm.services.escalation import negotiation_failed_by
from crm.services.playbook import plays_for
from crm.services.root_causes import root_cause_lists
from crm.services.sla import case_sla_status
from crm.services.waiting import WAIT_FROM, max_wait_days_for


@dataclass
class StepView:
    spec: StepSpec
    done: CaseStep | None
    form: forms.Form | None

    @property
    def code(self) -> str:
        return self.spec.code


def step_form(spec: StepSpec, case: Case, data=None) -> forms.Form | None:
    if spec.form is None:
        return None
    if getattr(spec.form, "needs_case", False):
        return spec.form(data, case=case, prefix=spec.code)
    return spec.form(data, prefix=spec.code)


@dataclass
class TimelineEntry:
    at: Any
    who: str
    title: str
    message: str
    lines: list
    kind: str


def timeline(*, case: Case, root_causes: dict[str, str]) -> list[TimelineEntry]:
    currency = case.remedy_currency  # of a cost written before remedies had a currency (ADR 0036)
    return [
        TimelineEntry(
            at=event.at,
            who=(event.actor.get_full_name() or event.actor.get_username()) if event.actor else "",
            title=event_title(event),
            message=event.message,
            lines=event_lines(event, root_causes=root_causes, currency=currency),
            kind=event.kind,
        )
        for event in case_timeline_events(case=case)
    ]


def _steps(kind, case: Case, done: dict[str, CaseStep]) -> list[StepView]:
    """The kind's steps in order; only the next one to do carries its form (steps are worked in order, and a page
    renders one form instead of four)."""
    steps, next_found = [], False
    for spec in kind.steps:
        form = None
        if spec.code not in done and not spec.by_close and not next_found:
            form, next_found = step_form(spec, case), True
        steps.append(StepView(spec, done.get(spec.code), form))
    return steps


def _evidence(case: Case) -> list[CaseEvidence]:
    """The case's evidence; one removed by the recheck of stored files (ADR 0047) carries why, as the upload check
    would have said it (`removed_label`, `removed_because`)."""
    evidence = list(case.evidence.select_related("added_by"))
    for item in evidence:
        if item.quarantined_at is not None:
            item.removed_label = evidence_removed_label(item.quarantine_reason)
            item.removed_because = evidence_removal_text(item.quarantine_reason, field=_("Photo"))
    return evidence


def case_workspace(*, case: Case, user) -> dict[str, Any]:
    kind = case_kind_for(case=case)
    done = {s.step: s for s in CaseStep.objects.filter(case=case).select_related("done_by")}
    active_root_causes, root_causes = root_cause_lists(store=case.store)
    root_cause_labels = dict(root_causes)
    # A manager of this store: someone who serves it as an agent is an agent here (ADR 0045).
    is_manager = roles.manages_store(user, case.store_id)
    plays = plays_for(store=case.store, causes=case.causes or ([case.cause] if case.cause else []))
    first = plays[0] if plays else None
    currency = case.remedy_currency
    context: dict[str, Any] = {
        "case": case,
        # The remedies' currency (the order's, else the store's) and the store's, of its limit and playbook (ADR 0036).
        "remedy_currency": currency,
        "store_currency": case.store.currency,
        # What the customer is given in total: the agent's limit is on that (ADR 0039).
        "given": remedies_given(cases=[case], now=timezone.now())[case.pk],
        "given_days": GIVEN_WINDOW.days,
        "kind": kind,
        "steps": _steps(kind, case, done),
        "evidence": _evidence(case),
        "evidence_form": EvidenceForm(),  # its one-time token
        "remedies": list(case.remedies.select_related("proposed_by__user", "decided_by__user", "fulfilled_by__user")),
        "plays": plays,
        "is_manager": is_manager,
        "remedy_kinds": [(value, str(label)) for value, label in Remedy.Kind.choices],
        # The first play fills the form; its cost only where it is in the case's currency (an order paid in another).
        "remedy_initial": {
            "kind": first.kind,
            "cost": first.cost if currency == case.store.currency else None,
            "description": str(first.script),
        }
        if first
        else {},
        "confirm_form": RemedyConfirmForm(),
        "close_choices": active_root_causes,
        "decision_form": ManagerDecisionForm(currency=currency),
        "root_cause_label": root_cause_labels.get(case.root_cause, case.root_cause),
        "root_cause_labels": root_cause_labels,
        "sla": case_sla_status(case=case, now=timezone.now()),
        "timeline": timeline(case=case, root_causes=root_cause_labels),
        "triage_reasons": [triage_reason_label(code) for code in case.triage_reasons],
        "cause_labels": [
            str(dict(CaseCause.choices).get(c, c)) for c in (case.causes or ([case.cause] if case.cause else []))
        ],
        # A case may wait on the customer once they were answered, and not while a remedy waits for the manager.
        "can_wait": case.status in WAIT_FROM and case.first_response_at is not None,
        "max_wait_days": max_wait_days_for(store=case.store),
        "next": "",
    }
    if is_manager:
        context["reassign_agents"] = list(agents_serving(store=case.store))
        # Four eyes (ADR 0038): the manager's own proposal waiting is approved by another manager of the store, if any.
        waiting = Remedy.Status.AWAITING_APPROVAL
        own = [r for r in context["remedies"] if r.status == waiting and r.proposed_by.user_id == user.pk]
        deciding = case.is_open and case.negotiation_failed_at is not None and not case.manager_decision
        sent = deciding and negotiation_failed_by(case=case, user=user)
        if own or sent:
            another = bool(store_ids_with_another_manager(store_ids=[case.store_id], user=user))
            context["another_manager"] = bool(own) and another
            # The remedy a decision records would be their own: a higher remedy or a refund is another manager's.
            context["decide_by_another"] = sent and another
    context["panels"] = [
        (panel.template, panel_context)
        for panel in case_panels()
        if (panel_context := panel.context(case=case, user=user)) is not None
    ]
    return context
