from django import forms
from django.utils.translation import gettext_lazy as _


class CaseReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the case is reopened.")},
    )
