"""A customer's number and what a provider or an order system sent, as the admin shows them: masked for anyone who may
not change customers (ADR 0033); shown whole, a reveal (audited by ``ServiceWrittenAdmin``)."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db import models

from crm.models import Customer
from crm.personal_data import mask_json_text, mask_payload
from crm.phones import mask_phone

# Who may read a customer's whole number in the admin: whoever may change the customer.
PHONE_REVEAL_PERMISSION = "crm.change_customer"


def masked_phone(field: str, label) -> Callable[[models.Model], str]:
    """A column (or read-only field) showing `field`, a customer's number, as agents see it."""

    @admin.display(description=label)
    def masked(obj: models.Model) -> str:
        return mask_phone(getattr(obj, field))

    masked.__name__ = f"{field}_masked"
    return masked


def payload_text(field: models.Field, value: Any, *, masked: bool, names: Iterable[str] = ()) -> str:
    """A payload field's value as its change page shows it: JSON as Django's admin shows a JSONField's, a text field's
    as it is; with the customer's numbers, names and addresses masked when `masked`."""
    if isinstance(field, models.JSONField):
        return json.dumps(mask_payload(value, names=names) if masked else value, ensure_ascii=False)
    return mask_json_text(value, names=names) if masked else (value or "")


def customer_at(obj: models.Model, path: str) -> Customer | None:
    """The customer at the end of a `a__b__c` path of foreign keys, or None where one is empty."""
    for name in path.split("__") if path else ():
        obj = getattr(obj, name, None)
    return obj if isinstance(obj, Customer) else None


class PayloadMasking:
    """Masks `payload_fields` (what a provider or an order system sent, as it came) for users who may not change
    customers (ADR 0033). `payload_customer`: the path to the customer the row is about, whose name is then masked
    wherever the text writes it (a courier's "签收人：..."), and for whom showing it whole is audited."""

    model: type[models.Model]
    payload_fields: tuple[str, ...] = ()
    payload_customer = ""

    def _payload_displays(self) -> dict[str, Callable[[models.Model], str]]:
        displays = {}
        for name in self.payload_fields:
            field = self.model._meta.get_field(name)

            def masked(obj, name=name, field=field) -> str:
                return payload_text(field, getattr(obj, name), masked=True, names=self.payload_names(obj))

            masked.short_description = field.verbose_name
            masked.__name__ = f"{name}_masked"
            displays[name] = masked
        return displays

    def payload_names(self, obj: models.Model) -> list[str]:
        customer = customer_at(obj, self.payload_customer)
        return [customer.name] if customer is not None else []

    def payload_personal(self, obj: models.Model) -> bool:
        """Whether `obj`'s payloads hold anything of a customer's (shown whole, a reveal)."""
        names = self.payload_names(obj)
        for name in self.payload_fields:
            field, value = self.model._meta.get_field(name), getattr(obj, name)
            if payload_text(field, value, masked=True, names=names) != payload_text(field, value, masked=False):
                return True
        return False

    def payload_shown(self, request, name: str):
        if name in self.masked_payloads and not request.user.has_perm(PHONE_REVEAL_PERMISSION):
            return self.masked_payloads[name]
        return name
