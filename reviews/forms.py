"""Page forms: they parse and validate input; services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm import form_fields
from crm.models import CaseCause, Remedy

from .models import CAUSE_VALUES, PlatformComplaint, ReplyTemplate, ReviewPolicy, Sentiment

CAUSE_CHOICES = [(value, label) for value, label in CaseCause.choices if value]


class CausesForm(forms.Form):
    causes = forms.MultipleChoiceField(
        label=_("Causes"), choices=CAUSE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    posted = forms.BooleanField(label=_("Posted on the platform"), required=False)
    # The reply as the page showed it (reviews.services.public_reply.reply_version): a colleague's save since is not
    # overwritten unseen.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)


class MonitorForm(forms.Form):
    phrase = forms.CharField(label=_("Word or phrase"), max_length=50)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class PolicyForm(forms.Form):
    main_skus = forms.CharField(
        label=_("Main products (SKUs, one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The bounds are the columns' (ReviewPolicy): a bigger number is an error on the form, not on the database.
    high_value_amount = form_fields.DecimalField(
        label=_("High-value order from"), min_value=0, max_digits=12, decimal_places=2
    )
    many_likes = form_fields.IntegerField(label=_("Many likes from"), min_value=0, max_value=2**31 - 1)
    many_images = form_fields.IntegerField(label=_("Many images from"), min_value=1, max_value=2**15 - 1)
    repeat_complaints = form_fields.IntegerField(
        label=_("Repeat complainer after earlier complaints"), min_value=1, max_value=2**15 - 1
    )
    competitor_markers = forms.CharField(
        label=_("Competitor markers (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The threshold is the store's currency; an order in another is not compared with it (ADR 0036).
        self.fields["high_value_amount"].label = _("High-value order from (%(currency)s)") % {"currency": currency}

    @classmethod
    def for_policy(cls, policy: ReviewPolicy, *, currency: str) -> "PolicyForm":
        return cls(
            currency=currency,
            initial={
                "main_skus": "\n".join(policy.main_skus),
                "competitor_markers": "\n".join(policy.competitor_markers),
                "high_value_amount": policy.high_value_amount,
                "many_likes": policy.many_likes,
                "many_images": policy.many_images,
                "repeat_complaints": policy.repeat_complaints,
            },
        )

    def clean_main_skus(self) -> list[str]:
        return _lines(self.cleaned_data["main_skus"])

    def clean_competitor_markers(self) -> list[str]:
        return _lines(self.cleaned_data["competitor_markers"])


class PlayForm(forms.Form):
    cause = forms.ChoiceField(choices=[(c, c) for c in CAUSE_VALUES], widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Remedy"), choices=Remedy.Kind.choices)
    cost = form_fields.DecimalField(label=_("Usual cost"), min_value=0, max_digits=10, decimal_places=2)
    script = forms.CharField(label=_("What to say"), required=False, max_length=2000)


class ReplyTemplateForm(forms.Form):
    """One piece of the store's reply voice. The text's rules (not empty, not too long, no twin) are the
    service's, so the page and any other caller get the same errors."""

    part = forms.ChoiceField(label=_("Part"), choices=ReplyTemplate.Part.choices)
    # Mid and bad reviews get the same tone of reply (reviews.replies.tone_of), so they share one choice.
    sentiment = forms.ChoiceField(
        label=_("For reviews"),
        choices=[("", _("Any")), (Sentiment.GOOD, _("Good")), (Sentiment.BAD, _("Mid or bad"))],
        required=False,
    )
    cause = forms.ChoiceField(label=_("Cause"), choices=[("", _("Any")), *CAUSE_CHOICES], required=False)
    text = forms.CharField(label=_("Text"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_template(cls, template: ReplyTemplate) -> "ReplyTemplateForm":
        sentiment = "" if not template.sentiment else template.sentiment if template.sentiment == "good" else "bad"
        return cls(
            prefix=f"t{template.pk}",
            initial={"part": template.part, "sentiment": sentiment, "cause": template.cause, "text": template.text},
        )


class PlatformComplaintForm(forms.ModelForm):
    class Meta:
        model = PlatformComplaint
        fields = ["platform_reference", "outcome", "outcome_note", "evidence_pack"]
        widgets = {"outcome_note": forms.Textarea(attrs={"rows": 2})}
