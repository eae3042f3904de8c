"""The logistics settings form: it parses what the browser sent; the rules are logistics.services.policy's, whose
errors are shown next to the field they name (`error_field`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm import form_fields
from logistics.models import DelayRule, LogisticsPolicy

from .services.policy import (
    LANGUAGES,
    MAX_HOURS,
    SECRET_MAX_LENGTH,
    TEMPLATE_KEYS,
    TEMPLATE_MAX_LENGTH,
)

# The rules with a threshold of their own, and the policy field that holds it.
THRESHOLDS = {DelayRule.NO_FIRST_SCAN.value: "no_first_scan_hours", DelayRule.NO_UPDATE.value: "no_update_hours"}
LANGUAGE_LABELS = {"zh-hans": _("Chinese"), "en": _("English")}


def _text_name(key: str, language: str) -> str:
    return f"template_{key}_{language.replace('-', '_')}"


def secret_masked(secret: str) -> str:
    """What the page shows of a webhook secret: that it is set, and its last four characters at most."""
    if not secret:
        return ""
    return "••••••" + (secret[-4:] if len(secret) >= 12 else "")


class LogisticsPolicyForm(forms.Form):
    """Every rule's switch (and threshold), every notice in both languages, the shipping notice, the secret."""

    shipping_notice = forms.BooleanField(label=_("Send a shipping notice when a parcel leaves"), required=False)
    aftership_secret = forms.CharField(
        label=_("New AfterShip webhook secret"),
        required=False,
        max_length=SECRET_MAX_LENGTH,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current secret."),
    )
    aftership_secret_remove = forms.BooleanField(label=_("Remove the AfterShip secret"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for rule in DelayRule:
            self.fields[f"{rule.value}_on"] = forms.BooleanField(label=_("On"), required=False)
            if rule.value in THRESHOLDS:
                self.fields[THRESHOLDS[rule.value]] = form_fields.IntegerField(
                    label=_("after (hours)"), min_value=1, max_value=MAX_HOURS
                )
        for key in TEMPLATE_KEYS:
            for language in LANGUAGES:
                self.fields[_text_name(key, language)] = forms.CharField(
                    label=LANGUAGE_LABELS[language],
                    required=False,
                    max_length=TEMPLATE_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3, "lang": language}),
                )

    @classmethod
    def for_policy(cls, policy: LogisticsPolicy) -> "LogisticsPolicyForm":
        """The form showing `policy` as it works now: defaults filled in where the store kept them."""
        initial = {
            "shipping_notice": policy.shipping_notice,
            "no_first_scan_hours": policy.no_first_scan_hours,
            "no_update_hours": policy.no_update_hours,
        }
        for rule in DelayRule.values:
            initial[f"{rule}_on"] = policy.rule_on(rule)
        for key in TEMPLATE_KEYS:
            for language in LANGUAGES:
                initial[_text_name(key, language)] = policy.template(key, language)
        return cls(initial=initial)

    def template(self, key: str, language: str) -> forms.BoundField:
        return self[_text_name(key, language)]

    def changes(self) -> dict:
        """What logistics_policy_update takes. The secret is sent only when a new one was typed or removal asked."""
        data = self.cleaned_data
        changes = {
            "no_first_scan_hours": data["no_first_scan_hours"],
            "no_update_hours": data["no_update_hours"],
            "rules_off": [rule for rule in DelayRule.values if not data[f"{rule}_on"]],
            "shipping_notice": data["shipping_notice"],
            "templates": {
                key: {language: data[_text_name(key, language)] for language in LANGUAGES} for key in TEMPLATE_KEYS
            },
        }
        if data["aftership_secret_remove"]:
            changes["aftership_secret"] = ""
        elif data["aftership_secret"]:
            changes["aftership_secret"] = data["aftership_secret"]
        return changes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("aftership_secret") and cleaned.get("aftership_secret_remove"):
            self.add_error("aftership_secret", _("Type a new secret or remove the current one, not both."))
        return cleaned

    def error_field(self, name: str | None) -> str | None:
        """The form field for a service error's field ("templates.no_update.en" -> "template_no_update_en")."""
        if name and name.startswith("templates."):
            parts = name.split(".")
            if len(parts) == 3 and parts[1] in TEMPLATE_KEYS and parts[2] in LANGUAGES:
                return _text_name(parts[1], parts[2])
            return None
        return name if name in self.fields else None
