"""Page forms of the case workspace and the customer pages: they parse input; services hold the rules.

`SubmitOnceForm` is the base of any app's form that creates something (crm.services.submissions).
"""

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm import form_fields
from crm.errors import EvidenceInvalid
from crm.models import Case, CaseCause, Customer, Remedy
from crm.money import money_text
from crm.services.customers import interests_from_text

_RELOAD = _("This form was sent without its one-time token: reload the page and send it again.")


class SubmitOnceForm(forms.Form):
    """A form that creates something, rendered with a fresh one-time token; its view hands the token to
    crm.services.submissions.submission_once, so a second submit of the same form creates nothing again.

    The token is a hidden field: a bound form (refused, shown again) keeps the one it was sent with, which stays
    unused until a submit is saved."""

    submission = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": _RELOAD, "invalid": _RELOAD})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4()

    def renew(self) -> None:
        """Shown again after its submit was acted on (a form that may be sent again on purpose, like a test SMS): the
        same values and errors, with a fresh token, so the next click is a new submit."""
        self.data = self.data.copy()
        self.data[self.add_prefix("submission")] = str(uuid.uuid4())

    def clean(self):
        # A hidden field has no place on the page to show its error: it is said above the form.
        errors = self._errors.pop("submission", None)
        if errors:
            self.add_error(None, errors.as_data())
        return super().clean()


class CaseWaitForm(forms.Form):
    asked = forms.CharField(label=_("What you asked the customer for"), max_length=500)


class CaseResumeForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class CaseReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the case is reopened.")},
    )


class CaseCloseForm(forms.Form):
    root_cause = forms.ChoiceField(label=_("Root cause"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].choices = [("", "—"), *choices]


class EvidenceForm(SubmitOnceForm):
    """A photo or PDF for the case: one evidence row per form sent (a double click uploads it once)."""

    # `accept` only helps the file picker (the case page's input reads it from here); crm.uploads checks the bytes.
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG, WebP or HEIC (an iPhone's photo, kept as a JPEG), or a PDF; at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,.pdf"}
        ),
        # A missing file names the types accepted; any other refusal of the form keeps its own reason.
        error_messages={"required": EvidenceInvalid.default_message},
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


def cost_label(currency: str) -> str:
    return gettext("Cost (%(currency)s)") % {"currency": currency}


class RemedyForm(forms.Form):
    """A remedy agreed on the case page: its cost is in the case's currency (Case.remedy_currency), which the page
    shows in the label and sends along, so a cost is never read in another currency than the one the agent saw."""

    kind = forms.ChoiceField(label=_("Remedy"), choices=Remedy.Kind.choices)
    cost = form_fields.DecimalField(min_value=0, max_digits=10, decimal_places=2)
    description = forms.CharField(label=_("What was agreed"), required=False, max_length=2000)
    currency = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost"].label = cost_label(currency)

    def clean_currency(self) -> str | None:
        return self.cleaned_data["currency"].strip().upper() or None  # none sent: the case's


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class RemedyFulfilForm(forms.Form):
    reference = forms.CharField(label=_("Refund reference, coupon code or tracking number"), max_length=100, strip=True)


class RemedyWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why it is withdrawn"), max_length=2000, strip=True)


class RemedyConfirmForm(forms.Form):
    via = forms.ChoiceField(label=_("The customer confirmed by"), choices=Remedy.Channel.choices)


class NegotiationFailedForm(forms.Form):
    offered = forms.MultipleChoiceField(label=_("Options offered"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What the customer would not accept"), max_length=2000)

    def __init__(self, *args, plays=(), currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The playbook's amounts are in the store's currency (ADR 0036).
        self.fields["offered"].choices = [(p.key, f"{p.script} ({money_text(p.cost, currency)})") for p in plays]


class ManagerDecisionForm(forms.Form):
    """The manager's decision on a failed negotiation; a remedy's cost is in the case's currency."""

    decision = forms.ChoiceField(label=_("Decision"), choices=[c for c in Case.Decision.choices if c[0]])
    kind = forms.ChoiceField(label=_("Remedy"), choices=Remedy.Kind.choices, initial=Remedy.Kind.PARTIAL_REFUND)
    cost = form_fields.DecimalField(min_value=0, max_digits=10, decimal_places=2, initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost"].label = cost_label(currency)


class ReassignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assignee"))

    def __init__(self, *args, agents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(a.pk, str(a.user.get_full_name() or a.user.username)) for a in agents]


SLA_STATES = [
    ("", _("Any")),
    ("breached", _("Breached")),
    ("soon", _("Due within the hour")),
    ("on_time", _("On time")),
]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open")), ("all", _("Any")), *Case.Status.choices]
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Any")), *Case.Source.choices])
    triage_group = forms.ChoiceField(
        label=_("Triage group"), required=False, choices=[("", _("Any")), *Case.TriageGroup.choices]
    )
    cause = forms.ChoiceField(
        label=_("Cause"), required=False, choices=[("", _("Any")), *[c for c in CaseCause.choices if c[0]]]
    )
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_STATES)
    # By code, read by the view through crm.pages.store_filter (a store that is not the user's is a 404); here for
    # the select it renders.
    store = forms.ChoiceField(label=_("Store"), required=False)
    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, stores=(), agents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("All my stores")), *[(s.code, s.name) for s in stores]]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            *[(a.pk, str(a.user.get_full_name() or a.user.username)) for a in agents],
        ]


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class CaseOpenForm(forms.Form):
    """Opening a case by hand from the customer's page."""

    order = forms.TypedChoiceField(label=_("Order"), required=False, coerce=int, empty_value=None)
    cause = forms.ChoiceField(label=_("Cause"), choices=[c for c in CaseCause.choices if c[0]])
    summary = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orders=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", _("No order")), *[(o.pk, o.external_id) for o in orders]]


class ProfileForm(forms.ModelForm):
    interests = forms.CharField(label=_("Interests"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = Customer
        fields = ["name", "gender", "birthday", "region", "personality_type", "notes", "contact_preference", "language"]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_interests(self) -> list[str]:
        return interests_from_text(self.cleaned_data["interests"])
