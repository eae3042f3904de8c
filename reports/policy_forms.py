"""Forms of the policy page. They parse what the browser sent; the rules are the services' (crm.services.policy
and the other apps' policy services), whose errors are shown next to the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callbacks.models import FollowUpChannel, OverflowRule, SmsLanguage
from callbacks.services.policy import MAX_CAP, MAX_CAP_DAYS, policy_for_store
from crm import form_fields
from crm.models import Agent, AgentStore, Case, CasePolicy, Store
from crm.readable.policy import WEEKDAYS as WEEKDAY_NAMES
from crm.services.policy import SlaTargetIn
from crm.services.sla import sla_target_for
from crm.withdrawals import WithdrawalsConfirmField

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAYS = list(enumerate(WEEKDAY_NAMES))  # Monday = 0, as stored


class CasePolicyForm(forms.Form):
    assignment = forms.ChoiceField(label=_("Assign new cases by"), choices=CasePolicy.Assignment.choices)
    service_start = forms.TimeField(
        label=_("Service hours start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    service_end = forms.TimeField(
        label=_("Service hours end"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    days_off = forms.TypedMultipleChoiceField(
        label=_("Closed every week on"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    max_wait_days = form_fields.IntegerField(
        label=_("A case waiting on the customer resumes by itself after (days)"),
        min_value=1,
        max_value=CasePolicy.MAX_WAIT_DAYS,
    )

    @classmethod
    def for_store(cls, store: Store) -> "CasePolicyForm":
        policy = CasePolicy.objects.filter(store=store).first() or CasePolicy(store=store)
        return cls(
            initial={
                "assignment": policy.assignment,
                "service_start": policy.service_start,
                "service_end": policy.service_end,
                "days_off": policy.days_off,
                "max_wait_days": policy.max_wait_days,
            }
        )


class ConfirmsWithdrawals(forms.Form):
    """A section whose save may withdraw campaign contacts (new hours, a closure): the manager's confirmation, shown
    only when the save asked for it (ADR 0046)."""

    # Not a setting: ticked, the number of campaign contacts the change withdraws that the manager confirms.
    confirm_withdrawals = WithdrawalsConfirmField()

    def withdrawals_asked(self, total: int) -> None:
        """The save asked the manager to confirm `total` campaign contacts withdrawn: the checkbox confirms as many."""
        self.fields["confirm_withdrawals"].ask(total)


class ClosureForm(ConfirmsWithdrawals):
    """Days the store is closed (a holiday): the service checks the dates (crm.services.closures)."""

    name = forms.CharField(
        label=_("Closed for"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("Spring Festival")})
    )
    first_day = forms.DateField(label=_("From"), widget=DATE)
    last_day = forms.DateField(label=_("To (included)"), widget=DATE)


class RemedyLimitForm(forms.Form):
    agent_remedy_limit = form_fields.DecimalField(label=_("Agents may promise up to"), max_digits=10, decimal_places=2)
    currency = forms.CharField(
        label=_("In the store's currency"),
        required=False,
        max_length=3,
        help_text=_("Also the currency of the playbook's costs and of a case's remedies when it has no order."),
    )

    @classmethod
    def for_store(cls, store: Store) -> "RemedyLimitForm":
        return cls(initial={"agent_remedy_limit": store.agent_remedy_limit, "currency": store.currency})

    def clean_currency(self) -> str | None:
        return self.cleaned_data["currency"].strip().upper() or None  # not sent: unchanged


def _sla_rows() -> list[tuple[str, str, str]]:
    """(field prefix, triage group, source) for every group: its target for any source, then per source."""
    return [
        (f"{group}__{source or 'any'}", group, source)
        for group in Case.TriageGroup.values
        for source in ("", *Case.Source.values)
    ]


class SlaTargetsForm(forms.Form):
    """One row per triage group and source; a group's "any source" row is required, per-source rows optional."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for prefix, _group, source in _sla_rows():
            for part in ("first", "resolution"):
                self.fields[f"{prefix}__{part}"] = form_fields.IntegerField(
                    required=not source, min_value=1, widget=forms.NumberInput(attrs={"class": "minutes"})
                )

    @classmethod
    def for_store(cls, store: Store) -> "SlaTargetsForm":
        initial = {}
        own = {(t.triage_group, t.source): t for t in store.sla_targets.all()}
        for prefix, group, source in _sla_rows():
            if source and (group, source) not in own:
                continue
            first, resolution = sla_target_for(store=store, triage_group=group, source=source)
            initial[f"{prefix}__first"], initial[f"{prefix}__resolution"] = first, resolution
        return cls(initial=initial)

    def rows(self) -> list[dict]:
        groups, sources = dict(Case.TriageGroup.choices), dict(Case.Source.choices)
        return [
            {
                "group": groups[group],
                "source": sources.get(source, _("Any source")),
                "first": self[f"{prefix}__first"],
                "resolution": self[f"{prefix}__resolution"],
            }
            for prefix, group, source in _sla_rows()
        ]

    def clean(self):
        cleaned = super().clean()
        for prefix, _group, source in _sla_rows():
            first, resolution = cleaned.get(f"{prefix}__first"), cleaned.get(f"{prefix}__resolution")
            if source and (first is None) != (resolution is None):
                self.add_error(f"{prefix}__resolution", _("Fill in both minutes, or neither."))
        return cleaned

    def targets(self) -> list[SlaTargetIn]:
        data = self.cleaned_data
        return [
            SlaTargetIn(group, source, data[f"{prefix}__first"], data[f"{prefix}__resolution"])
            for prefix, group, source in _sla_rows()
            if data.get(f"{prefix}__first") is not None
        ]


class RootCauseForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    label = forms.CharField(label=_("Label"), max_length=100)
    active = forms.BooleanField(label=_("Offered at close"), required=False, initial=True)


class AgentShiftForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=Agent.objects.none(), widget=forms.HiddenInput)
    on_shift = forms.BooleanField(label=_("On shift"), required=False)
    evening_capacity = form_fields.IntegerField(label=_("Evening call capacity"), min_value=0)

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.filter(stores=store)

    @classmethod
    def for_membership(cls, membership: AgentStore) -> "AgentShiftForm":
        """The form of one agent's shift and capacity in the store of `membership` (the store's own, ADR 0045)."""
        return cls(
            initial={
                "agent": membership.agent_id,
                "on_shift": membership.on_shift,
                "evening_capacity": membership.evening_capacity,
            },
            store=membership.store,
            prefix=f"agent-{membership.agent_id}",
        )


TIER_ROWS = 4


class FollowUpPolicyForm(ConfirmsWithdrawals):
    """The follow-up policy (callbacks): value tiers and channels, call window and days, SMS hours and texts.

    Templates may be left empty here so that the service's own message ("cannot be empty") is the one shown.
    """

    call_window_start = forms.TimeField(label=_("Call window starts"), widget=TIME)
    call_window_end = forms.TimeField(label=_("Call window ends"), widget=TIME)
    call_days = forms.TypedMultipleChoiceField(
        label=_("Call days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    sms_send_from = forms.TimeField(label=_("SMS sent from"), widget=TIME)
    sms_send_until = forms.TimeField(label=_("SMS sent until"), widget=TIME)
    max_call_attempts = form_fields.IntegerField(label=_("Call attempts at most"), min_value=1, max_value=10)
    # The contact gate (callbacks.services.gate): when calls may be placed at all, and the per-customer caps.
    call_hours_from = forms.TimeField(label=_("Calls allowed from (store time)"), widget=TIME)
    call_hours_until = forms.TimeField(label=_("Calls allowed until (store time)"), widget=TIME)
    logistics_cap_per_order = form_fields.IntegerField(
        label=_("Logistics messages per order, at most"), min_value=0, max_value=MAX_CAP
    )
    marketing_cap = form_fields.IntegerField(
        label=_("Marketing messages and calls per customer, at most"), min_value=0, max_value=MAX_CAP
    )
    marketing_cap_days = form_fields.IntegerField(
        label=_("… within this many days"), min_value=1, max_value=MAX_CAP_DAYS
    )
    overflow_rule = forms.ChoiceField(label=_("When calls exceed capacity"), choices=OverflowRule.choices)
    sms_language = forms.ChoiceField(
        label=_("SMS language"),
        choices=SmsLanguage.choices,
        help_text=_(
            "A customer with a language of their own gets the care SMS and parcel notices in it; campaigns and "
            "birthday wishes go in this one."
        ),
    )
    sms_template_zh = forms.CharField(
        label=_("SMS template (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "zh-hans"})
    )
    sms_template_en = forms.CharField(
        label=_("SMS template (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "en"})
    )
    # Marked with their language, like the parcel notices' texts: an English text here is meant, not untranslated.
    sms_opt_out_zh = forms.CharField(
        label=_("Opt-out wording (Chinese)"), max_length=40, widget=forms.TextInput(attrs={"lang": "zh-hans"})
    )
    sms_opt_out_en = forms.CharField(
        label=_("Opt-out wording (English)"), max_length=40, widget=forms.TextInput(attrs={"lang": "en"})
    )
    # Left out of a post (an older form), these two keep what is saved.
    currency = forms.CharField(label=_("Tier amounts are in (currency)"), required=False, max_length=3)
    exchange_rates = forms.CharField(
        label=_("Exchange rates: one unit of an order currency in the tier currency, one per line (EUR 7.80)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for index in range(TIER_ROWS):
            self.fields[f"tier_{index}_min_amount"] = form_fields.DecimalField(
                label=_("From amount"), required=False, min_value=0, max_digits=12, decimal_places=2
            )
            self.fields[f"tier_{index}_channel"] = forms.ChoiceField(
                label=_("Channel"), required=False, choices=[("", "—"), *FollowUpChannel.choices]
            )

    @classmethod
    def settings(cls) -> list[str]:
        """The fields that are policy settings (all but the tier rows and the confirmation)."""
        return [name for name in cls.base_fields if name != "confirm_withdrawals"]

    @classmethod
    def for_store(cls, store: Store) -> "FollowUpPolicyForm":
        policy = policy_for_store(store=store)
        initial = {name: getattr(policy, name) for name in cls.settings()}
        initial["exchange_rates"] = "\n".join(f"{code} {rate}" for code, rate in sorted(policy.exchange_rates.items()))
        for index, tier in enumerate(policy.tiers[:TIER_ROWS]):
            initial[f"tier_{index}_min_amount"] = tier["min_amount"]
            initial[f"tier_{index}_channel"] = tier["channel"]
        return cls(initial=initial)

    @property
    def tier_currency(self) -> str:
        """The currency the tier amounts are in, as the form shows it ("" when a post left it out)."""
        return str(self["currency"].value() or "").strip().upper()

    def tier_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"tier_{i}_min_amount"], self[f"tier_{i}_channel"]) for i in range(TIER_ROWS)]

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_exchange_rates(self) -> dict[str, str]:
        """'EUR 7.80' per line (or 'EUR=7.80', 'EUR: 7.80') -> {"EUR": "7.80"}; the service checks the values."""
        rates = {}
        for line in self.cleaned_data["exchange_rates"].splitlines():
            parts = line.replace("=", " ").replace(":", " ").split()
            if not parts:
                continue
            if len(parts) != 2 or len(parts[0]) != 3 or not parts[0].isalpha():
                raise forms.ValidationError(
                    _("Write each rate as a currency code and a number, e.g. EUR 7.80 (not %(line)s).")
                    % {"line": line.strip()}
                )
            rates[parts[0].upper()] = parts[1]
        return rates

    def clean(self):
        cleaned = super().clean()
        for index in range(TIER_ROWS):
            amount, channel = cleaned.get(f"tier_{index}_min_amount"), cleaned.get(f"tier_{index}_channel")
            if (amount is None) != (not channel):
                self.add_error(f"tier_{index}_channel", _("Give a tier both an amount and a channel."))
        return cleaned

    def changes(self) -> dict:
        """What policy_update takes: the fields as they are, tiers in the order the manager wrote them."""
        data = self.cleaned_data
        changes = {name: data[name] for name in self.settings()}
        for name in ("currency", "exchange_rates"):
            if name not in self.data or (name == "currency" and not data[name]):
                del changes[name]
        rows = [(data.get(f"tier_{i}_min_amount"), data.get(f"tier_{i}_channel")) for i in range(TIER_ROWS)]
        changes["tiers"] = [{"min_amount": f"{amount:.2f}", "channel": channel} for amount, channel in rows if channel]
        return changes

    def error_field(self, name: str | None) -> str | None:
        """The form field for a service error's field ("tiers.1.min_amount" -> "tier_1_min_amount")."""
        if name and name.startswith("tiers."):
            parts = name.split(".")
            return f"tier_{parts[1]}_{parts[2] if len(parts) > 2 else 'min_amount'}"
        return name if name in self.fields else None
