"""The details of a timeline or audit entry (its stored dict), key by key: a label and the value in words; a key not
listed is not shown."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.casework import case_kinds, triage_reason_label
from crm.evidence_removal import evidence_removed_label
from crm.models import Case, CaseCause, Remedy, TriageGroup
from crm.money import money_text
from crm.punctuation import itemised, labelled
from crm.readable.values import YES_NO, Line, cause_label, choice_labels, group_label, remedy_label, status_label


def _step_label(code: str) -> str:
    for kind in case_kinds():
        if spec := kind.step(code):
            return str(spec.label)
    return code


def _severity(code: str) -> str:
    from crm.services.complaint import Severity  # the complaint kind names its severities

    return str(dict(Severity.CHOICES).get(code, code))


def play_label(key: str) -> str:
    """A playbook option named by its form key (cause:kind), in words."""
    cause, _sep, kind = str(key).partition(":")
    return labelled(choice_labels(CaseCause.choices)(cause), choice_labels(Remedy.Kind.choices)(kind))


# Whether the platform still shows a review (reviews.PlatformStatus; crm imports no app, so its words are here too).
_review_status = {
    "visible": gettext_lazy("Shown on the platform"),
    "hidden": gettext_lazy("Hidden by the platform"),
    "deleted": gettext_lazy("Deleted on the platform"),
}

# Why work changed hands without anyone choosing to hand it (crm.services.agents).
HANDOVER_REASONS = {
    "assignee_left_store": gettext_lazy("The assignee no longer serves the store"),
    "case_reassigned": gettext_lazy("The case was given to another agent"),
}

# Why a case waiting on the customer went back to work (crm.services.cases.Resumed).
RESUMED_BY = {
    "agent": gettext_lazy("Resumed by the agent"),
    "call": gettext_lazy("The customer was reached on a call"),
    "sms": gettext_lazy("The customer replied by SMS"),
    "max_wait": gettext_lazy("The store's longest wait passed"),
}


def resumed_label(code: str) -> str:
    return str(RESUMED_BY.get(code, code))


def duration_text(minutes: int) -> str:
    """A length of time in words: '2 d 3 h', '1 h 5 min'."""
    hours, minutes = divmod(abs(minutes), 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


# key -> (label, how to show the value). A key not listed here is not shown.
FIELDS: dict[str, tuple[Any, Callable[[Any], str]]] = {
    "source": (gettext_lazy("Source"), choice_labels(Case.Source.choices)),
    "cause": (gettext_lazy("Cause"), cause_label),
    "causes": (gettext_lazy("Causes"), lambda v: "、".join(cause_label(c) for c in v)),
    "from": (
        gettext_lazy("From"),
        lambda v: status_label(v) if v in Case.Status.values else group_label(v) if v in TriageGroup.values else str(v),
    ),
    "to": (
        gettext_lazy("To"),
        lambda v: status_label(v) if v in Case.Status.values else group_label(v) if v in TriageGroup.values else str(v),
    ),
    "reasons": (gettext_lazy("Why"), lambda v: "、".join(triage_reason_label(r) for r in v)),
    "remedy_kind": (gettext_lazy("Remedy"), remedy_label),
    "kind": (gettext_lazy("Remedy"), remedy_label),
    # With the entry's "currency" (ADR 0036) shown as money ("€40.00"); an entry written before remedies had a
    # currency is shown in the one its reader passes (`readable_fields(currency=)`).
    "cost": (gettext_lazy("Cost"), str),
    "awaiting_approval": (gettext_lazy("Needs the manager's approval"), lambda v: str(YES_NO[bool(v)])),
    "self_approved": (
        gettext_lazy("Self-approved (the store's only manager)"),
        lambda v: str(YES_NO[bool(v)]),
    ),
    "reference": (gettext_lazy("Reference"), str),
    "via": (gettext_lazy("Confirmed by"), choice_labels(Remedy.Channel.choices)),
    "step": (gettext_lazy("Step"), _step_label),
    # A step unticked because the evidence it rested on was removed (ADR 0047): the file's caption, and why.
    "evidence_caption": (gettext_lazy("Evidence"), str),
    "evidence_removed": (gettext_lazy("What became of it"), evidence_removed_label),
    "customer_asks": (gettext_lazy("The customer asks for"), str),
    "severity": (gettext_lazy("Severity"), lambda v: _severity(v)),
    "within_limit": (gettext_lazy("Within the agent's limit"), lambda v: str(YES_NO[bool(v)])),
    # What the customer was given already, counted against the limit with the amount asked (ADR 0039).
    "given": (gettext_lazy("Given to the customer already"), str),
    "offered": (gettext_lazy("Options offered"), lambda v: itemised(play_label(k) for k in v)),
    "chosen": (gettext_lazy("Chosen"), play_label),
    "decision": (gettext_lazy("Decision"), choice_labels(Case.Decision.choices)),
    "breach": (
        gettext_lazy("Deadline missed"),
        lambda v: str(gettext_lazy("first response") if v == "first_response" else gettext_lazy("resolution")),
    ),
    "asked_about_review": (gettext_lazy("Asked about the review"), lambda v: str(YES_NO[bool(v)])),
    "reason": (gettext_lazy("Reason"), str),
    "note": (gettext_lazy("Note"), str),
    "field": (gettext_lazy("Field"), str),
    "label": (gettext_lazy("Label"), str),
    "active": (gettext_lazy("Active"), lambda v: str(YES_NO[bool(v)])),
    "platform_reference": (gettext_lazy("Platform's reference"), str),
    "outcome": (gettext_lazy("Outcome"), str),
    "why": (gettext_lazy("Why"), lambda v: str(HANDOVER_REASONS.get(v, v))),
    "review_status": (gettext_lazy("The review"), lambda v: str(_review_status.get(v, v))),
    "max_wait_days": (gettext_lazy("Resumes by itself after (days)"), str),
    "asked": (gettext_lazy("Asked of the customer"), str),
    "resumed": (gettext_lazy("Resumed because"), resumed_label),
    "waited": (gettext_lazy("Waited"), duration_text),
    "paused": (gettext_lazy("Resolution deadline moved later by (service time)"), duration_text),
    # Confirmed by the manager before the change was saved (ADR 0046): new store hours, a closure.
    "campaign_contacts_withdrawn": (gettext_lazy("Campaign messages and calls withdrawn"), str),
    # The same count in entries of new SMS hours saved before return-visit calls were asked about too.
    "campaign_messages_withdrawn": (gettext_lazy("Campaign messages withdrawn"), str),
}


def readable_fields(
    data: dict[str, Any],
    *,
    extra: dict[str, tuple[Any, Callable[[Any], str]]] | None = None,
    currency: str = "",
) -> list[Line]:
    """`currency` is what a cost written without one (before ADR 0036) was in: the entry's is read first."""
    table = {**FIELDS, **(extra or {})}
    if cost_currency := data.get("currency") or currency:
        table["cost"] = (table["cost"][0], lambda v: money_text(v, cost_currency))
    if limit_currency := data.get("limit_currency"):
        table["given"] = (table["given"][0], lambda v: money_text(v, limit_currency))
    lines = []
    for key, value in data.items():
        if key not in table or value in ("", None, [], {}):
            continue
        label, show = table[key]
        lines.append(Line(str(label), show(value)))
    return lines
