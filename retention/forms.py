"""Page forms: they shape input; the rules live in services (which raise errors with the field to show)."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import form_fields
from crm.forms import SubmitOnceForm
from crm.models import Agent, Customer, Store
from crm.phones import mask_phone
from crm.timezones import store_tz, store_wall_time

from .errors import CampaignTestRecipientRefused
from .models import CampaignChannel, CampaignPurpose, Gift, GiftTask, OfferKind, Segment
from .rules import ATTRIBUTES, MAX_RULES, OPS
from .selectors import campaign_test_recipients


class SegmentForm(SubmitOnceForm):
    """A new segment of the store's own; sent twice (a double click), the second submit is shown the first's segment
    rather than refused for its name."""

    name = forms.CharField(label=_("Name"), max_length=100)


class RuleForm(forms.Form):
    attribute = forms.ChoiceField(
        label=_("Attribute"), required=False, choices=[("", "—"), *((k, a.label) for k, a in ATTRIBUTES.items())]
    )
    op = forms.ChoiceField(label=_("Condition"), required=False, choices=list(OPS.items()))
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=100,
        help_text=_("For the birthday month, a number or this_month / next_month."),
    )

    def clean(self):
        data = super().clean()
        # A value typed in a row left without an attribute is a rule the manager meant: not dropped unsaid.
        if data.get("value", "").strip() and not data.get("attribute"):
            self.add_error("attribute", _("Choose an attribute for this value."))
        return data


RuleFormSet = forms.formset_factory(RuleForm, extra=3, max_num=MAX_RULES)


def rules_from(formset) -> list[dict]:
    return [
        {"attribute": f.cleaned_data["attribute"], "op": f.cleaned_data["op"], "value": f.cleaned_data["value"]}
        for f in formset.forms
        if f.cleaned_data.get("attribute")
    ]


class _LocalDateTime(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(SubmitOnceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.none())
    purpose = forms.ChoiceField(label=_("Purpose"), choices=CampaignPurpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=CampaignChannel.choices)
    wordings = forms.CharField(
        label=_("Wordings"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One wording a line; placeholders {name}, {store}, {hotline}, {offer}, {coupon}. "
            "The opt-out wording is added to every SMS."
        ),
    )
    offer_kind = forms.ChoiceField(label=_("Offer"), choices=OfferKind.choices, initial=OfferKind.NONE)
    offer_amount = form_fields.DecimalField(
        label=_("Amount off"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    offer_min_spend = form_fields.DecimalField(
        label=_("On orders of at least"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    coupon_codes = forms.CharField(
        label=_("Coupon codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One code a line (for a coupon pool)."),
    )
    starts_at = _LocalDateTime(label=_("Starts (store time)"))
    ends_at = _LocalDateTime(label=_("Ends (store time)"))
    send_from = forms.TimeField(
        label=_("Sending from"), initial=time(10, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    send_until = forms.TimeField(
        label=_("Sending until"), initial=time(20, 0), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    control_percent = form_fields.IntegerField(label=_("Control group (%)"), min_value=0, max_value=50, initial=10)
    attribution_days = form_fields.IntegerField(
        label=_("Attribution window (days)"), min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["segment"].queryset = Segment.objects.filter(store=store)
        # The offer is in the store's currency, as its customers are offered it (ADR 0036).
        self.fields["offer_amount"].label = _("Amount off (%(currency)s)") % {"currency": store.currency}
        self.fields["offer_min_spend"].label = _("On orders of at least (%(currency)s)") % {"currency": store.currency}
        if not self.is_bound:
            # Naive store-local wall time: an aware value would be shown in the server's zone (UTC).
            now = timezone.localtime(timezone.now(), store_tz(store)).replace(second=0, microsecond=0, tzinfo=None)
            self.initial.setdefault("starts_at", now)
            self.initial.setdefault("ends_at", now + timedelta(days=14))

    def _aware(self, value: datetime) -> datetime:
        # The browser sends wall time: it is the store's, whatever the server's zone.
        try:
            return store_wall_time(self.store, value) if value else value
        except ValueError:
            raise forms.ValidationError(forms.DateTimeField.default_error_messages["invalid"], code="invalid") from None

    def clean_starts_at(self):
        return self._aware(self.cleaned_data["starts_at"])

    def clean_ends_at(self):
        return self._aware(self.cleaned_data["ends_at"])


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agent) -> str:
        return f"{obj} ({mask_phone(obj.phone)})"


class TestSendForm(SubmitOnceForm):
    recipient = _StaffChoiceField(
        label=_("Send to"),
        queryset=Agent.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": CampaignTestRecipientRefused.default_message},
    )

    def __init__(self, *args, store: Store, sender, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = campaign_test_recipients(store=store, sender=sender)


class GiftForm(SubmitOnceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False)
    genders = forms.MultipleChoiceField(
        label=_("Suits genders"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[c for c in Customer.Gender.choices if c[0] != "unknown"],
    )
    age_min = form_fields.IntegerField(label=_("Ages from"), required=False, min_value=0, max_value=120)
    age_max = form_fields.IntegerField(label=_("Ages up to"), required=False, min_value=0, max_value=120)
    segments = forms.ModelMultipleChoiceField(
        label=_("Suits segments"), required=False, queryset=Segment.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = Segment.objects.filter(store=store)


class GiftSendForm(forms.Form):
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.none())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Note")}))

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gift"].queryset = Gift.objects.filter(store=store, active=True)

    @classmethod
    def for_tasks(cls, *, tasks: list[GiftTask]) -> list[tuple[GiftTask, "GiftSendForm"]]:
        """A form for each task listed, each offering its store's gifts as read once per store: each form reading
        its own options cost a query per task listed."""
        rows = [(task, cls(store=task.store, prefix=f"t{task.pk}")) for task in tasks]
        choices: dict[int, list] = {}
        for task, form in rows:
            if task.store_id not in choices:
                choices[task.store_id] = list(form.fields["gift"].choices)
            form.fields["gift"].choices = choices[task.store_id]
        return rows
