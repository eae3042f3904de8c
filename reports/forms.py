from datetime import date, timedelta

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from crm.pages import one_store_code
from crm.selectors import store_by_code, stores_managed_by
from crm.timezones import store_today

from .metrics import Period

DEFAULT_DAYS = 90
MAX_DAYS = 366
# The days a report may cover: a period's roll-ups and local day bounds reach a day past its end, which the
# calendar's last day (or its first, east of Greenwich) does not have.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class ReportFilterForm(forms.Form):
    """One of the manager's stores and a range of whole local days; by default the last 90 days."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None, to_field_name="code", empty_label=None)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, user) -> None:
        stores = stores_managed_by(user=user)
        first = stores.first()
        defaults: dict[str, str] = {}
        if first is not None:
            store = store_by_code(stores=stores, code=one_store_code(data)) or first
            today: date = store_today(store)
            defaults = {
                "store": store.code,
                "start": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
                "end": today.isoformat(),
            }
        super().__init__({**defaults, **{k: v for k, v in data.items() if v}})
        self.fields["store"].queryset = stores

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start < FIRST_DAY or end > LAST_DAY:
                self.add_error(
                    "start", _("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}
                )
            elif end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return cleaned

    def period(self) -> Period:
        return Period(store=self.cleaned_data["store"], start=self.cleaned_data["start"], end=self.cleaned_data["end"])

    def query(self) -> str:
        """The filter as a query string, for the CSV links."""
        data = self.cleaned_data
        return urlencode({"store": data["store"].code, "start": data["start"], "end": data["end"]})


class DecisionForm(forms.Form):
    """A manager's decision on a remedy: the reason is optional to approve and required to decline."""

    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, strip=True)

    def __init__(self, *args, decline: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.decline = decline

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        if self.decline and not reason:
            raise forms.ValidationError(_("Give the agent a reason for declining."), code="reason_required")
        return reason
