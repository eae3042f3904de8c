"""An amount of a store's setting, in the store's currency (ADR 0036) and saying so."""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.admin_mixins.checked import CheckedAdmin
from crm.money import money_text


def money_column(name: str, label: Any) -> Callable[[models.Model], str]:
    """A list column showing the row's amount `name` in its store's currency ("€130.00"; empty when not set)."""

    def column(obj: models.Model) -> str:
        return money_text(getattr(obj, name), obj.store.currency)

    column.short_description = label  # type: ignore[attr-defined]
    column.admin_order_field = name  # type: ignore[attr-defined]
    return column


class StoreMoneyAdmin(CheckedAdmin):
    """A store's setting whose amounts (`money_fields`) are in the store's currency (ADR 0036), as its manager's page
    says: on a row's change page each label names it ("High-value order from (EUR)"); on the add page, where the store
    is not chosen yet, each help text says the amount is in the chosen store's currency. A list column for an amount
    is `money_column(name, label)`."""

    money_fields: tuple[str, ...] = ()
    # The add page's help text for each amount: where its currency is chosen on the form.
    money_help_text = gettext_lazy("In the currency of the store chosen above (the store's currency).")

    def money_currency(self, obj: models.Model) -> str:
        """The currency a row's amounts are in: its store's."""
        return obj.store.currency

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name in self.money_fields:
            field = form.base_fields.get(name)
            if field is None:
                continue
            if obj is not None:
                field.label = _("%(label)s (%(currency)s)") % {
                    "label": field.label,
                    "currency": self.money_currency(obj),
                }
            else:
                field.help_text = self.money_help_text
        return form
