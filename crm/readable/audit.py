"""An audit log entry in words: the action's name, its target, and its details (for a change, only the settings that
changed), as the app that audits the action told (`audit_action_register`, from its AppConfig.ready)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from crm.models import AuditLog
from crm.readable.details import FIELDS, readable_fields
from crm.readable.values import YES_NO, Line, cause_label, value_text

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
_AUDITED: dict[str, AuditedAction] = {"remedy_play_set": AuditedAction(target=cause_label)}


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
        return str(name), value_text
    label = capfirst(str(setting.verbose_name)) + (f" ({rest})" if rest else "")
    if head in audited.fields and not rest:
        return label, audited.fields[head][1]
    choices = {str(value): label for value, label in setting.flatchoices} if setting.choices else {}

    def show(value: Any) -> str:
        if isinstance(value, bool) or value in ("True", "False"):
            return str(YES_NO[value in (True, "True")])
        if value == "None" and setting.null:  # str(None), as the letter rule's changes were audited
            return value_text(None)
        if isinstance(value, str) and value in choices:
            return str(choices[value])
        return value_text(value)

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
        show = _AUDITED.get(entry.action, _NOTHING_KNOWN).change or value_text
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
