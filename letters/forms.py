"""The managers' forms. They check types; the services (letters.services) hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.form_fields import number_formfield
from crm.models import Agent, Order, Store

from .models import LetterRule, LetterTemplate, ParcelInsert
from .segments import segment_choices

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class LetterRuleForm(forms.ModelForm):
    class Meta:
        formfield_callback = number_formfield
        model = LetterRule
        fields = [
            "enabled", "min_amount", "first_purchase_only", "segment", "control_percent", "language", "handwriting",
            "signing_agent",
        ]  # fmt: skip

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The threshold is the store's currency; an order in another meets no value condition (ADR 0036).
        self.fields["min_amount"].label = _("Order value at least (%(currency)s)") % {"currency": store.currency}
        self.fields["signing_agent"].queryset = Agent.objects.filter(stores=store).select_related("user")
        # A customer with a language of their own gets their letter in it (ADR 0052).
        self.fields["language"].help_text = _(
            "For customers without a language of their own; the others get their letter in theirs."
        )
        choices = segment_choices(store=store)
        if choices:
            self.fields["segment"] = forms.ChoiceField(
                label=_("customer segment"), required=False, choices=[("", "—"), *choices]
            )
        else:
            # No segments to choose from until the retention app provides them (letters.segments).
            del self.fields["segment"]


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        formfield_callback = number_formfield
        model = LetterTemplate
        fields = ["name", "language", *LetterTemplate.CONDITIONS, *LetterTemplate.PARTS, "active"]
        widgets = {name: TEXTAREA for name in LetterTemplate.PARTS}


class ParcelInsertForm(forms.ModelForm):
    class Meta:
        formfield_callback = number_formfield
        model = ParcelInsert
        fields = ["kind", "title", "body", "offer_code", "category", "min_amount", "first_purchase_only", "active"]
        widgets = {"body": TEXTAREA}

    def validate_constraints(self, exclude=None):
        # An offer without a code is the service's message to give, naming the field; not a constraint error.
        return None


class PreviewOrderForm(forms.Form):
    order = forms.ModelChoiceField(label=_("Preview for order"), queryset=Order.objects.none(), required=False)

    def __init__(self, *args, store: Store, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["order"]
        field.queryset = Order.objects.filter(store=store)  # any order of the store is accepted ...
        # ... and the list offers the latest 50, paid but unshipped first.
        latest = field.queryset.select_related("customer").order_by("shipped_at", "-placed_at")[:50]
        field.widget.choices = [("", "—"), *((o.pk, f"{o.external_id} · {o.customer.name}") for o in latest)]
