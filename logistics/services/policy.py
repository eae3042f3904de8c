"""A store's logistics policy: read with defaults, validated and changed by its manager (audited).

What a manager may change, and the rules a change must pass (nothing is saved when one fails, and the error names
the field):

- the delay rules: each on or off; the two thresholds in whole hours, 1 to `MAX_HOURS`;
- the notice templates, one per rule and one for the shipping notice, in zh-hans and en. A template may use only
  the placeholders of its key (`PLACEHOLDERS`, `placeholders_for`): `{promised}` only where a promised date is
  certain (past the promised date). It must name the store (`{store}`: the notice is the store's voice), and the
  shipping notice must give `{tracking_number}` (`REQUIRED`). Like every text a store sends, it may not trade a
  reward for a review (crm.platform_rules). An empty text, or the default's own text, means "the default": only
  the store's own wording is stored, so an improved default reaches the stores that never changed it;
- the shipping notice switch (off by default);
- the AfterShip webhook secret: write-only. The page shows whether one is set (masked), never the secret; a
  change is audited as "changed", never with its value.

Wording that blames the courier is not checked by machine; the defaults never do (ADR 0021) and the page says so.
"""

from typing import Any

from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callbacks.models import SmsLanguage
from crm.models import Store
from crm.placeholders import PlaceholderBraceOpen, placeholder_parts
from crm.platform_rules import ensure_no_review_incentive
from crm.punctuation import listed
from crm.services.audit import audit_record
from logistics.errors import LogisticsPolicyInvalid
from logistics.models import DelayRule, LogisticsPolicy
from logistics.models.policy import DEFAULT_TEMPLATES

EDITABLE = ("no_first_scan_hours", "no_update_hours", "rules_off", "templates", "shipping_notice", "aftership_secret")
MAX_HOURS = 720  # 30 days: a longer silence is not a threshold but a lost parcel
TEMPLATE_MAX_LENGTH = 500
SECRET_MIN_LENGTH, SECRET_MAX_LENGTH = 8, 100
# The notice keys: the shipping notice, then each delay rule.
TEMPLATE_KEYS = ("shipped", *DelayRule.values)
LANGUAGES = tuple(SmsLanguage.values)
# What notice_render puts in each placeholder.
PLACEHOLDERS = ("name", "store", "product", "hotline", "tracking_number", "promised")
_ONLY_IN = {"promised": {DelayRule.PAST_PROMISED.value}}
REQUIRED = {key: ({"store", "tracking_number"} if key == "shipped" else {"store"}) for key in TEMPLATE_KEYS}


def logistics_policy_for_store(*, store: Store) -> LogisticsPolicy:
    """The store's saved policy, or the defaults (unsaved) when its manager never changed them."""
    try:
        return store.logistics_policy
    except LogisticsPolicy.DoesNotExist:
        return LogisticsPolicy(store=store)


def placeholders_for(key: str) -> tuple[str, ...]:
    """The placeholders a template of `key` (a rule, or "shipped") may use."""
    return tuple(p for p in PLACEHOLDERS if key in _ONLY_IN.get(p, {key}))


def template_field(key: str, language: str) -> str:
    """The error path of one template: templates.<key>.<language>."""
    return f"templates.{key}.{language}"


def _braces(names: set[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in PLACEHOLDERS if n in names)


def template_validate(*, key: str, language: str, text: str) -> None:
    """Raise LogisticsPolicyInvalid (or ReviewIncentiveForbidden) naming the template for anything it may not say."""
    field = template_field(key, language)
    if len(text) > TEMPLATE_MAX_LENGTH:
        raise LogisticsPolicyInvalid(
            _("A notice is limited to %(limit)d characters.") % {"limit": TEMPLATE_MAX_LENGTH}, field=field
        )
    allowed = set(placeholders_for(key))
    try:
        parts = placeholder_parts(text)
    except PlaceholderBraceOpen:
        raise LogisticsPolicyInvalid(
            _("A brace is not closed: write placeholders as %(allowed)s.") % {"allowed": _braces(allowed)}, field=field
        ) from None
    used = set()
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed:
            raise LogisticsPolicyInvalid(
                _("Unknown placeholder {%(name)s}; this notice may use %(allowed)s.")
                % {"name": name, "allowed": _braces(allowed)},
                field=field,
            )
        if spec or conversion:
            raise LogisticsPolicyInvalid(_("Write a placeholder plainly, as {%(name)s}.") % {"name": name}, field=field)
        used.add(name)
    missing = REQUIRED[key] - used
    if missing:
        raise LogisticsPolicyInvalid(
            _("This notice must contain %(missing)s.") % {"missing": _braces(missing)}, field=field
        )
    ensure_no_review_incentive(text, field=field)


def _templates_merge(saved: dict, given: Any) -> dict[str, dict[str, str]]:
    """The store's overrides after `given` ({key: {language: text}}): an empty or default text removes one."""
    if not isinstance(given, dict):
        raise LogisticsPolicyInvalid(_("Templates must be given per notice and language."), field="templates")
    merged = {key: dict(texts) for key, texts in (saved or {}).items() if key in TEMPLATE_KEYS}
    for key, texts in given.items():
        if key not in TEMPLATE_KEYS or not isinstance(texts, dict):
            raise LogisticsPolicyInvalid(_("There is no notice called %(key)s.") % {"key": key}, field="templates")
        for language, text in texts.items():
            if language not in LANGUAGES or not isinstance(text, str):
                raise LogisticsPolicyInvalid(
                    _("Notices are written in zh-hans and en only."), field=template_field(key, str(language))
                )
            text = text.strip()
            if not text or text == DEFAULT_TEMPLATES[key][language]:
                merged.get(key, {}).pop(language, None)
                continue
            template_validate(key=key, language=language, text=text)
            merged.setdefault(key, {})[language] = text
    return {key: texts for key, texts in merged.items() if texts}


def _secret(value: Any) -> str:
    secret = value.strip() if isinstance(value, str) else None
    if secret is None or (
        secret and (not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH or any(c.isspace() for c in secret))
    ):
        raise LogisticsPolicyInvalid(
            _("A webhook secret is %(min)d to %(max)d characters without spaces (or empty to remove it).")
            % {"min": SECRET_MIN_LENGTH, "max": SECRET_MAX_LENGTH},
            field="aftership_secret",
        )
    return secret


def _validate(policy: LogisticsPolicy) -> None:
    for name in ("no_first_scan_hours", "no_update_hours"):
        value = getattr(policy, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
            raise LogisticsPolicyInvalid(
                _("A threshold is a whole number of hours from 1 to %(max)d.") % {"max": MAX_HOURS}, field=name
            )
    if not isinstance(policy.rules_off, list) or any(rule not in DelayRule.values for rule in policy.rules_off):
        raise LogisticsPolicyInvalid(_("Unknown delay rule."), field="rules_off")
    if not isinstance(policy.shipping_notice, bool):
        raise LogisticsPolicyInvalid(_("The shipping notice is either on or off."), field="shipping_notice")


# How a template left to the default and a secret replaced by another are audited (as codes: words are the page's).
AUDIT_DEFAULT_TEXT, AUDIT_SECRET_CHANGED, AUDIT_NO_RULE_OFF = "(default)", "changed", "—"


def _audit_view(policy: LogisticsPolicy) -> dict[str, str | bool]:
    """The policy as the audit log stores it: one line per setting and template, the secret only as set or not."""
    view = {
        "no_first_scan_hours": str(policy.no_first_scan_hours),
        "no_update_hours": str(policy.no_update_hours),
        "rules_off": ", ".join(sorted(policy.rules_off)) or AUDIT_NO_RULE_OFF,
        "shipping_notice": str(policy.shipping_notice),
        "aftership_secret": bool(policy.aftership_secret),
    }
    for key in TEMPLATE_KEYS:
        for language in LANGUAGES:
            view[template_field(key, language)] = (policy.templates.get(key) or {}).get(language) or AUDIT_DEFAULT_TEXT
    return view


def audit_fields() -> dict[str, tuple[Any, Any]]:
    """How the audit page says what _audit_view stored (crm.readable.audit_action_register, in apps.py): rules by
    their names, each template by its notice and language, a default text and a replaced secret in words."""
    fields: dict[str, tuple[Any, Any]] = {
        "rules_off": (gettext_lazy("rules switched off"), _rules_off_text),
        "aftership_secret": (gettext_lazy("AfterShip webhook secret"), _secret_text),
    }
    for key in TEMPLATE_KEYS:
        for language in LANGUAGES:
            fields[template_field(key, language)] = (_template_label(key, language), _template_text)
    return fields


def _rules_off_text(value: Any) -> str:
    if not isinstance(value, str) or value == AUDIT_NO_RULE_OFF:
        return str(value)
    rules = dict(DelayRule.choices)
    return listed(rules.get(code, code) for code in value.split(", "))


def _secret_text(value: Any) -> str:
    if value == AUDIT_SECRET_CHANGED:
        return _("replaced by another")
    return _("yes") if value in (True, "True") else _("no")


def _template_text(value: Any) -> str:
    return _("the built-in text") if value == AUDIT_DEFAULT_TEXT else str(value)


def _template_label_text(key: str, language: str) -> str:
    notice = _("Shipping notice") if key == "shipped" else str(dict(DelayRule.choices).get(key, key))
    return _("%(notice)s (%(language)s)") % {"notice": notice, "language": dict(SmsLanguage.choices)[language]}


_template_label = lazy(_template_label_text, str)  # registered at start-up, said in the reader's language


@transaction.atomic
def logistics_policy_update(*, store: Store, actor, changes: dict[str, Any]) -> LogisticsPolicy:
    """Change a store's logistics policy, validated whole, audited; the next delay sweep reads it.

    `changes` holds any of EDITABLE. `templates` is {key: {language: text}} and changes only the texts it names;
    `aftership_secret` "" removes the secret, and leaving it out keeps it.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise LogisticsPolicyInvalid(_("%(name)s is not a logistics setting.") % {"name": unknown[0]}, field=unknown[0])
    policy = LogisticsPolicy.objects.select_for_update().filter(store=store).first() or LogisticsPolicy(store=store)
    before = _audit_view(policy)
    old_secret = policy.aftership_secret
    for name, value in changes.items():
        if name == "templates":
            value = _templates_merge(policy.templates, value)
        elif name == "aftership_secret":
            value = _secret(value)
        elif name == "rules_off" and isinstance(value, list | tuple | set):
            value = sorted(set(value))
        setattr(policy, name, value)
    _validate(policy)
    policy.save()
    after = _audit_view(policy)
    if policy.aftership_secret != old_secret:
        after["aftership_secret"] = (
            AUDIT_SECRET_CHANGED if policy.aftership_secret and old_secret else after["aftership_secret"]
        )
    changed = [name for name in after if before[name] != after[name]]
    if changed:
        audit_record(
            actor=actor,
            action="logistics_policy_changed",
            store=store,
            target=store.code,
            data={"before": {n: before[n] for n in changed}, "after": {n: after[n] for n in changed}},
        )
    return policy
