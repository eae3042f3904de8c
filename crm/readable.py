"""Timeline and audit entries in words of the agent's language: labels, not codes; names, not ids; the fields
that changed, not the stored dict. Keys a reader has no use for (call SIDs, internal ids) are left out.

Other apps' words come from the registries they fill (crm.casework): step labels from the case kinds, triage
reasons from the sources that write them.
"""

import ast
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.timezone import is_aware
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.casework import case_kinds, triage_reason_label
from crm.evidence_removal import evidence_removed_label
from crm.models import AuditLog, Case, CaseCause, CaseEvent, Customer, CustomerChange, Remedy, Store, TriageGroup
from crm.money import money_text
from crm.phones import mask_phone
from crm.punctuation import itemised, labelled, listed
from crm.timezones import to_store_local


def _labels(choices) -> Callable[[Any], str]:
    names = dict(choices)
    return lambda value: str(names.get(value, value))


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
    return labelled(_labels(CaseCause.choices)(cause), _labels(Remedy.Kind.choices)(kind))


_EVENT_KINDS = dict(CaseEvent.Kind.choices)  # get_kind_display() hashes the lazy choices on every call
_status = _labels(Case.Status.choices)
_group = _labels(TriageGroup.choices)
_cause = _labels(CaseCause.choices)
_remedy = _labels(Remedy.Kind.choices)
_yes_no = {True: gettext_lazy("yes"), False: gettext_lazy("no")}
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


# Weekdays as stored (Monday = 0, as date.weekday()): a store's days off, its call days.
WEEKDAYS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)


def weekdays_text(value: Any) -> str:
    """Weekdays stored as numbers, as a list or as the list's text ("[5, 6]"), named: "Sat, Sun" (周六、周日)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    days = value if isinstance(value, list | tuple) else None
    if days is None or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 7 for d in days):
        return _show(value)
    return listed(WEEKDAYS[day] for day in days) or "–"


def earlier_calendar_text(calendar: dict[str, Any], *, store) -> str:
    """A case policy's kept calendar (`CasePolicy.earlier_calendars`) in words, its end in the store's zone:
    "09:00–21:00, days off Sat, Sun, until 2027-03-07 12:00"."""
    hours = {
        "start": calendar["service_start"][:5],
        "end": calendar["service_end"][:5],
        "until": to_store_local(datetime.fromisoformat(calendar["until"]), store).strftime("%Y-%m-%d %H:%M"),
    }
    if not calendar["days_off"]:
        return _("%(start)s–%(end)s, no days off, until %(until)s") % hours
    return _("%(start)s–%(end)s, days off %(days)s, until %(until)s") % {
        **hours,
        "days": weekdays_text(calendar["days_off"]),
    }


def stored_setting(value: Any) -> Any:
    """A list or dict setting as an audit entry holds it: the value itself, or its Python text ("{'EUR': '7.80'}",
    "[{'min_amount': '300.00', ...}]") in the entries the policy services wrote with str()."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
    return value


def list_text(value: Any) -> str:
    """A stored list of words ("['TD', '退订']" or the list) as the reader's language lists them: "TD、退订"."""
    items = stored_setting(value)
    if not isinstance(items, list | tuple):
        return _show(items)
    return listed(items) or "–"


# How the SLA targets of a store were stored in its audit entries (crm.services.policy): "priority/*: 60/720".
_SLA_TARGET = re.compile(r"^(?P<group>\w+)/(?P<source>[\w*]+): (?P<first>\d+)/(?P<resolution>\d+)$")


def sla_targets_text(value: Any) -> str:
    """A store's SLA targets as audited, in words: "优先（任意来源）：首次响应 60 分钟，解决 720 分钟"."""
    if not isinstance(value, list | tuple):
        return _show(value)
    lines = []
    for text in value:
        match = _SLA_TARGET.match(str(text))
        if match is None:
            lines.append(str(text))
            continue
        source = match["source"]
        lines.append(
            _("%(group)s (%(source)s): first response %(first)s min, resolution %(resolution)s min")
            % {
                "group": _group(match["group"]),
                "source": _("Any source") if source == "*" else _labels(Case.Source.choices)(source),
                "first": match["first"],
                "resolution": match["resolution"],
            }
        )
    return itemised(lines) or "–"


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
    "source": (gettext_lazy("Source"), _labels(Case.Source.choices)),
    "cause": (gettext_lazy("Cause"), _cause),
    "causes": (gettext_lazy("Causes"), lambda v: "、".join(_cause(c) for c in v)),
    "from": (
        gettext_lazy("From"),
        lambda v: _status(v) if v in Case.Status.values else _group(v) if v in TriageGroup.values else str(v),
    ),
    "to": (
        gettext_lazy("To"),
        lambda v: _status(v) if v in Case.Status.values else _group(v) if v in TriageGroup.values else str(v),
    ),
    "reasons": (gettext_lazy("Why"), lambda v: "、".join(triage_reason_label(r) for r in v)),
    "remedy_kind": (gettext_lazy("Remedy"), _remedy),
    "kind": (gettext_lazy("Remedy"), _remedy),
    # With the entry's "currency" (ADR 0036) shown as money ("€40.00"); an entry written before remedies had a
    # currency is shown in the one its reader passes (`readable_fields(currency=)`).
    "cost": (gettext_lazy("Cost"), str),
    "awaiting_approval": (gettext_lazy("Needs the manager's approval"), lambda v: str(_yes_no[bool(v)])),
    "self_approved": (
        gettext_lazy("Self-approved (the store's only manager)"),
        lambda v: str(_yes_no[bool(v)]),
    ),
    "reference": (gettext_lazy("Reference"), str),
    "via": (gettext_lazy("Confirmed by"), _labels(Remedy.Channel.choices)),
    "step": (gettext_lazy("Step"), _step_label),
    # A step unticked because the evidence it rested on was removed (ADR 0047): the file's caption, and why.
    "evidence_caption": (gettext_lazy("Evidence"), str),
    "evidence_removed": (gettext_lazy("What became of it"), evidence_removed_label),
    "customer_asks": (gettext_lazy("The customer asks for"), str),
    "severity": (gettext_lazy("Severity"), lambda v: _severity(v)),
    "within_limit": (gettext_lazy("Within the agent's limit"), lambda v: str(_yes_no[bool(v)])),
    # What the customer was given already, counted against the limit with the amount asked (ADR 0039).
    "given": (gettext_lazy("Given to the customer already"), str),
    "offered": (gettext_lazy("Options offered"), lambda v: itemised(play_label(k) for k in v)),
    "chosen": (gettext_lazy("Chosen"), play_label),
    "decision": (gettext_lazy("Decision"), _labels(Case.Decision.choices)),
    "breach": (
        gettext_lazy("Deadline missed"),
        lambda v: str(gettext_lazy("first response") if v == "first_response" else gettext_lazy("resolution")),
    ),
    "asked_about_review": (gettext_lazy("Asked about the review"), lambda v: str(_yes_no[bool(v)])),
    "reason": (gettext_lazy("Reason"), str),
    "note": (gettext_lazy("Note"), str),
    "field": (gettext_lazy("Field"), str),
    "label": (gettext_lazy("Label"), str),
    "active": (gettext_lazy("Active"), lambda v: str(_yes_no[bool(v)])),
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


@dataclass(frozen=True)
class Line:
    label: str
    value: str


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


def event_lines(event: CaseEvent, *, root_causes: dict[str, str] | None = None, currency: str = "") -> list[Line]:
    """The details of a timeline event; a call's outcome is said by the event's kind (reached or not). `currency`:
    the case's remedy currency, for a cost written before remedies had one (ADR 0036's migration gave the case's
    remedies that currency, its order's else its store's, so the entry reads as the remedy row does)."""
    extra = {"root_cause": (gettext_lazy("Root cause"), lambda v: (root_causes or {}).get(v, v))}
    return readable_fields(event.data, extra=extra, currency=currency)


def event_title(event: CaseEvent) -> str:
    if event.kind == CaseEvent.Kind.NOTE and event.data.get("joined"):
        return _("Joined this case")
    return str(_EVENT_KINDS.get(event.kind, event.kind))


# What each audited action is called on the audit page.
AUDIT_ACTIONS: dict[str, Any] = {
    "remedy_approved": gettext_lazy("Remedy approved"),
    "remedy_declined": gettext_lazy("Remedy declined"),
    "remedy_fulfilled": gettext_lazy("Remedy carried out"),
    "remedy_withdrawn": gettext_lazy("Remedy withdrawn"),
    "case_closed": gettext_lazy("Case closed"),
    "case_waiting": gettext_lazy("Case set waiting on the customer"),
    "case_resumed": gettext_lazy("Case resumed after waiting on the customer"),
    "case_reassigned": gettext_lazy("Case reassigned"),
    "case_handed_over": gettext_lazy("Case handed over"),
    "case_manager_decision": gettext_lazy("Manager's decision on a failed negotiation"),
    "customer.phone_revealed": gettext_lazy("Phone number revealed"),
    "remedy_play_set": gettext_lazy("Playbook option set"),
    "remedy_limit_changed": gettext_lazy("Remedy limit changed"),
    "store_timezone_changed": gettext_lazy("Store time zone changed"),
    "store_closure_added": gettext_lazy("Closure added"),
    "store_closure_removed": gettext_lazy("Closure removed"),
    "store_closure_ended": gettext_lazy("Closure ended early (open again)"),
    "review_evidence_export": gettext_lazy("Evidence pack exported"),
    "evidence_quarantined": gettext_lazy("Evidence file removed (refused by the upload check)"),
    "evidence_restored": gettext_lazy("Evidence file restored (removal lifted by an operator)"),
    "case_step_unticked": gettext_lazy("Case step unticked (the evidence it was ticked on was removed)"),
    "evidence_held_for_review": gettext_lazy("Evidence file held for an operator's review (too many objects to check)"),
    "case_policy_changed": gettext_lazy("Case policy changed"),
    "sla_targets_changed": gettext_lazy("SLA targets changed"),
    "root_cause_added": gettext_lazy("Root cause added"),
    "root_cause_changed": gettext_lazy("Root cause changed"),
    "agent_shift_changed": gettext_lazy("Agent shift changed"),
    "followup.reassigned": gettext_lazy("Call reassigned"),
    "case_call.reassigned": gettext_lazy("Case call reassigned"),
    "gift_task.reassigned": gettext_lazy("Gift task reassigned"),
    "call_script.updated": gettext_lazy("Call script changed"),
    "followup_policy_changed": gettext_lazy("Follow-up policy changed"),
    "logistics_policy_changed": gettext_lazy("Logistics policy changed"),
    "keyword_monitor_add": gettext_lazy("Keyword monitor added"),
    "keyword_monitor_remove": gettext_lazy("Keyword monitor removed"),
    "review_policy_update": gettext_lazy("Review policy changed"),
    "reply_template_save": gettext_lazy("Reply template saved"),
    "reply_template_remove": gettext_lazy("Reply template removed"),
    "report_exported": gettext_lazy("Report exported"),
    "segment_exported": gettext_lazy("Segment exported"),
    "platform_complaint": gettext_lazy("Platform complaint recorded"),
    "review_after_close_seen": gettext_lazy("Review made worse after its case closed: marked seen"),
    "login_locked_out": gettext_lazy("Sign-in locked after failed attempts"),
    "contact.override": gettext_lazy("Called outside the call hours"),
    "letter_rule_changed": gettext_lazy("Letter rule changed"),
    "letter_template_saved": gettext_lazy("Letter template saved"),
    "parcel_insert_saved": gettext_lazy("Parcel insert saved"),
    "letter_batch_printed": gettext_lazy("Letter batch printed"),
    "letter_reprinted": gettext_lazy("Letter reprinted"),
    "campaign_test_send": gettext_lazy("Campaign test message sent"),
}


def audit_action_label(action: str) -> str:
    return str(AUDIT_ACTIONS.get(action, action.replace("_", " ").replace(".", " ")))


@dataclass(frozen=True)
class AuditedAction:
    """What the audit page needs to know of an action to show it in words, told by the app that audits it."""

    # The model whose settings the action changes ("logistics_policy_changed": LogisticsPolicy): a changed setting
    # is named by its field's verbose name, a stored code shown by its choice's label.
    model: type[models.Model] | None = None
    # The target when it is a code ("pareto", a cause): its words.
    target: Callable[[str], str] | None = None
    # Keys of the details whose stored codes read in words only to the app that wrote them (a gate's reason), and
    # settings of `model` whose stored values its field cannot say in words (weekdays kept as numbers). A part of a
    # setting ("templates.shipped.en") listed here is named by its label here, not by the field's name and the rest.
    fields: dict[str, tuple[Any, Callable[[Any], str]]] = field(default_factory=dict)
    # How a before and an after that are not settings by name read (a store's list of SLA targets).
    change: Callable[[Any], str] | None = None


_NOTHING_KNOWN = AuditedAction()
_AUDITED: dict[str, AuditedAction] = {"remedy_play_set": AuditedAction(target=_cause)}


def audit_action_register(
    action: str,
    *,
    model: type[models.Model] | None = None,
    target: Callable[[str], str] | None = None,
    fields: dict[str, tuple[Any, Callable[[Any], str]]] | None = None,
    change: Callable[[Any], str] | None = None,
) -> None:
    """Called from an app's AppConfig.ready() (crm imports no app)."""
    _AUDITED[action] = AuditedAction(model=model, target=target, fields=fields or {}, change=change)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _setting(action: str, name: str) -> tuple[str, Callable[[Any], str]]:
    """A changed setting's label and how its values read. A dotted name ("templates.shipped.en") is a part of a
    field: the field's name, then the rest as stored."""
    head, _dot, rest = str(name).partition(".")
    audited = _AUDITED.get(action, _NOTHING_KNOWN)
    if rest and name in audited.fields:
        label, show = audited.fields[name]
        return str(label), show
    setting = _model_field(audited.model, head)
    if setting is None:
        return str(name), _show
    label = capfirst(str(setting.verbose_name)) + (f" ({rest})" if rest else "")
    if head in audited.fields and not rest:
        return label, audited.fields[head][1]
    choices = {str(value): label for value, label in setting.flatchoices} if setting.choices else {}

    def show(value: Any) -> str:
        if isinstance(value, bool) or value in ("True", "False"):
            return str(_yes_no[value in (True, "True")])
        if value == "None" and setting.null:  # str(None), as the letter rule's changes were audited
            return _show(None)
        if isinstance(value, str) and value in choices:
            return str(choices[value])
        return _show(value)

    return label, show


# What the services write as a target ("case #12", "followup:8", "review 8841"): the kind in words, the id as is.
_TARGET = re.compile(r"^(?P<kind>[a-z_]+)(?::| #| )(?P<id>\S.*)$")
_TARGET_KINDS: dict[str, Any] = {
    "case": gettext_lazy("Case #%(id)s"),
    "case_call": gettext_lazy("Case call #%(id)s"),
    "customer": gettext_lazy("Customer #%(id)s"),
    "followup": gettext_lazy("Follow-up #%(id)s"),
    "review": gettext_lazy("Review %(id)s"),
    "store": gettext_lazy("Store #%(id)s"),
    "user": gettext_lazy("User #%(id)s"),
    "username": gettext_lazy("Username %(id)s"),
}


def audit_target(entry: AuditLog) -> str:
    """The entry's target in words of the reader's language; a name the user typed (a phrase, a template) as is."""
    if (label := _AUDITED.get(entry.action, _NOTHING_KNOWN).target) is not None:
        return label(entry.target)
    match = _TARGET.match(entry.target)
    if match and match["kind"] in _TARGET_KINDS:
        return str(_TARGET_KINDS[match["kind"]]) % {"id": match["id"]}
    return entry.target


def audit_lines(entry: AuditLog) -> list[Line]:
    """The entry's details; for a change, only the fields that changed (from → to)."""
    data = dict(entry.data)
    lines = []

    def change(name: str, old: Any, new: Any) -> None:
        label, show = _setting(entry.action, name)
        lines.append(Line(label, f"{show(old)} → {show(new)}"))

    before, after = data.pop("before", None), data.pop("after", None)
    if isinstance(before, dict) and isinstance(after, dict):
        for name in after:
            if before.get(name) != after[name]:
                change(name, before.get(name), after[name])
    elif before is not None or after is not None:
        show = _AUDITED.get(entry.action, _NOTHING_KNOWN).change or _show
        lines.append(Line(str(gettext_lazy("Change")), f"{show(before)} → {show(after)}"))
    for key in ("changes", "changed"):
        changes = data.pop(key, None)
        if isinstance(changes, dict):
            for name, value in changes.items():
                if isinstance(value, dict) and {"from", "to"} <= value.keys():
                    change(name, value["from"], value["to"])
                elif isinstance(value, list | tuple) and len(value) == 2:
                    change(name, *value)
                else:
                    label, show = _setting(entry.action, name)
                    lines.append(Line(label, show(value)))
    # An action that stores the new values alone ({"min_amount": "800"}): each of its model's fields, as set.
    audited = _AUDITED.get(entry.action, _NOTHING_KNOWN)
    model = audited.model
    for name in [name for name in data if name not in FIELDS and _model_field(model, name.partition(".")[0])]:
        label, show = _setting(entry.action, name)
        lines.append(Line(label, show(data.pop(name))))
    # A cost audited before it carried its currency (a playbook option's, ADR 0036) is in the store's.
    return lines + readable_fields(data, extra=audited.fields, currency=entry.store.currency if entry.store_id else "")


# Rows of a customer's change history that no profile field names, by the app that writes them (a gift sent).
_CUSTOMER_CHANGES: dict[str, tuple[Any, Callable[[Any], str]]] = {}
_NO_VALUE = "—"


def customer_change_register(name: str, *, label: Any, show: Callable[[Any], str]) -> None:
    """Called from an app's AppConfig.ready() for a row it writes into a customer's change history."""
    _CUSTOMER_CHANGES[name] = (label, show)


def customer_change_text(change: CustomerChange, *, store: Store | None = None) -> str:
    """'Contact preference: Any → No calls' in the reader's language: a profile field by its verbose name, its
    stored codes by their labels, a list as a list, a time in `store`'s time zone; a row another app writes by what
    it registered."""
    if change.field in _CUSTOMER_CHANGES:
        label, show = _CUSTOMER_CHANGES[change.field]
    elif change.field == "phone":  # written by order batches: masked, as everywhere an agent reads a number
        label, show = Customer._meta.get_field("phone").verbose_name, mask_phone
    else:
        label, show = _profile_field(change.field, store)
    old, new = (_NO_VALUE if value in (None, "", []) else show(value) for value in (change.old_value, change.new_value))
    return labelled(capfirst(str(label)), f"{old} → {new}")


def _profile_field(name: str, store: Store | None) -> tuple[Any, Callable[[Any], str]]:
    try:
        setting = Customer._meta.get_field(name)
    except FieldDoesNotExist:
        return name, _show
    choices = {str(value): label for value, label in setting.flatchoices} if setting.choices else {}

    def show(value: Any) -> str:
        if isinstance(value, list):
            return list_text(value)
        if isinstance(value, bool):
            return str(_yes_no[value])
        moment = parse_datetime(str(value)) if isinstance(setting, models.DateTimeField) else None
        if moment is not None and is_aware(moment) and store is not None:
            return to_store_local(moment, store).strftime("%Y-%m-%d %H:%M")
        return str(choices.get(str(value), value))

    return setting.verbose_name, show


def _show(value: Any) -> str:
    if value in (None, "", [], {}):
        return "–"
    if isinstance(value, list | tuple):
        return itemised(_show(v) for v in value)
    if isinstance(value, dict):
        return itemised(labelled(k, _show(v)) for k, v in value.items())
    return str(value)


def join(lines: Iterable[Line]) -> str:
    return " · ".join(labelled(line.label, line.value) for line in lines)
