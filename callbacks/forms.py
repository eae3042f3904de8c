"""Page forms: parse and validate what the browser sent; the rules themselves live in the services."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.models import CaseCallOutcome, FollowUpOutcome, FollowUpPurpose, outcomes_for
from crm import form_fields
from crm.models import Agent, Case, Customer, Store
from crm.services.customers import interests_from_text
from crm.timezones import store_wall_time


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    cause = forms.ChoiceField(
        label=_("Cause"), choices=[("", _("— what went wrong? —")), *Case.Cause.choices[1:]], required=False
    )
    note = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    callback_at = forms.DateTimeField(
        label=_("Call back at (store time)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    expected_seq = form_fields.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, store: Store, purpose: str = FollowUpPurpose.CARE, **kwargs):
        self.store = store
        super().__init__(*args, **kwargs)
        # The outcomes of this kind of call: a return visit has its own (interested, not now, ...).
        self.fields["outcome"].choices = outcomes_for(purpose).choices

    def clean_callback_at(self) -> datetime | None:
        # The agent types the customer's wish in the store's wall-clock time, whatever the server's zone.
        value = self.cleaned_data.get("callback_at")
        if value is None:
            return None
        naive = timezone.make_naive(value, timezone.get_current_timezone()) if timezone.is_aware(value) else value
        return timezone.make_aware(naive, self.store.tzinfo)


class CaseCallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CaseCallOutcome.choices)
    note = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    expected_seq = form_fields.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    gender = forms.ChoiceField(label=_("Gender"), choices=Customer.Gender.choices)
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    personality_type = forms.ChoiceField(
        label=_("Personality type"), choices=Customer.Personality.choices, required=False
    )
    interests = forms.CharField(
        label=_("Interests"), required=False, max_length=500, help_text=_("Separate with commas.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contact_preference = forms.ChoiceField(label=_("Contact preference"), choices=Customer.ContactPreference.choices)
    language = forms.ChoiceField(
        label=_("Message language"),
        choices=Customer._meta.get_field("language").choices,
        required=False,
        help_text=_("The language of the SMS and notices sent to them."),
    )
    marketing_consent_source = forms.ChoiceField(
        label=_("Marketing consent"), choices=Customer.MarketingConsentSource.choices, required=False
    )
    marketing_consent_at = forms.DateTimeField(
        label=_("Consent given at (store time)"),
        required=False,
        help_text=_("Empty: now."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    @classmethod
    def for_customer(cls, customer: Customer) -> "ProfileForm":
        initial = {name: getattr(customer, name) for name in cls.base_fields}
        initial["interests"] = ", ".join(customer.interests)
        if customer.marketing_consent_at:
            # Naive store-local wall time: the form shows and reads it in the store's zone.
            local = customer.marketing_consent_at.astimezone(customer.store.tzinfo)
            initial["marketing_consent_at"] = local.replace(tzinfo=None)
        return cls(initial=initial, store=customer.store)

    def __init__(self, *args, store: Store | None = None, **kwargs):
        self.store = store
        super().__init__(*args, **kwargs)

    def clean_marketing_consent_at(self) -> datetime | None:
        value = self.cleaned_data.get("marketing_consent_at")
        if value is None or self.store is None:
            return value
        naive = timezone.make_naive(value, timezone.get_current_timezone()) if timezone.is_aware(value) else value
        try:
            return store_wall_time(self.store, naive)
        except ValueError:
            raise forms.ValidationError(
                self.fields["marketing_consent_at"].error_messages["invalid"], code="invalid"
            ) from None

    def clean_interests(self) -> list[str]:
        return interests_from_text(self.cleaned_data["interests"])


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Agent"), queryset=Agent.objects.none())

    def __init__(self, *args, agents: list[Agent], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = Agent.objects.filter(pk__in=[agent.pk for agent in agents])


class CallScriptForm(forms.Form):
    body = forms.CharField(label=_("Script"), widget=forms.Textarea(attrs={"rows": 10}), max_length=4000)
    case_body = forms.CharField(
        label=_("Script for calls about a case"),
        help_text=_("The apology call of a bad review, placed from the case page. Empty: the default."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
    )


class QueueFilterForm(forms.Form):
    STATUS_CHOICES = [("open", _("To call")), ("done", _("Done")), ("all", _("All"))]

    # By code, read by the view through crm.pages.store_filter (a store that is not the user's is a 404); here for
    # the select it renders.
    store = forms.ChoiceField(label=_("Store"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    agent = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, stores: list[Store], agents: list[Agent] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("All stores")), *((s.code, s.name) for s in stores)]
        if agents is None:
            del self.fields["agent"]
        else:
            self.fields["agent"].choices = [("", _("All agents")), *((a.pk, str(a)) for a in agents)]
