"""A row of a customer's change history in words: a profile field by its verbose name, or a row another app writes by
what it registered (`customer_change_register`, from its AppConfig.ready)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.timezone import is_aware

from crm.models import Customer, CustomerChange, Store
from crm.phones import mask_phone
from crm.punctuation import labelled
from crm.readable.policy import list_text
from crm.readable.values import YES_NO, value_text
from crm.timezones import to_store_local

# Rows of a customer's change history that no profile field names, by the app that writes them (a gift sent).
_CUSTOMER_CHANGES: dict[str, tuple[Any, Callable[[Any], str]]] = {}
_NO_VALUE = "—"


def customer_change_register(name: str, *, label: Any, show: Callable[[Any], str]) -> None:
    """Called from an app's AppConfig.ready() for a row it writes into a customer's change history."""
    _CUSTOMER_CHANGES[name] = (label, show)


def customer_change_text(change: CustomerChange, *, store: Store | None = None) -> str:
    """'Contact preference: Any → No calls' in the reader's language: a profile field by its verbose name, its
    stored codes by their labels, a list as a list, a time in `store`'s time zone; a row another app writes by what
    it registered."""
    if change.field in _CUSTOMER_CHANGES:
        label, show = _CUSTOMER_CHANGES[change.field]
    elif change.field == "phone":  # written by order batches: masked, as everywhere an agent reads a number
        label, show = Customer._meta.get_field("phone").verbose_name, mask_phone
    else:
        label, show = _profile_field(change.field, store)
    blank = _blank_text(change.field)
    old, new = (blank if value in (None, "", []) else show(value) for value in (change.old_value, change.new_value))
    return labelled(capfirst(str(label)), f"{old} → {new}")


def _blank_text(name: str) -> str:
    """What a blank value of a profile field reads as: the label its choices give it where blank means something (a
    blank message language is the store's language), else "—"."""
    try:
        setting = Customer._meta.get_field(name)
    except FieldDoesNotExist:
        return _NO_VALUE
    return str(dict(setting.flatchoices).get("", _NO_VALUE)) if setting.choices else _NO_VALUE


def _profile_field(name: str, store: Store | None) -> tuple[Any, Callable[[Any], str]]:
    try:
        setting = Customer._meta.get_field(name)
    except FieldDoesNotExist:
        return name, value_text
    choices = {str(value): label for value, label in setting.flatchoices} if setting.choices else {}

    def show(value: Any) -> str:
        if isinstance(value, list):
            return list_text(value)
        if isinstance(value, bool):
            return str(YES_NO[value])
        moment = parse_datetime(str(value)) if isinstance(setting, models.DateTimeField) else None
        if moment is not None and is_aware(moment) and store is not None:
            return to_store_local(moment, store).strftime("%Y-%m-%d %H:%M")
        return str(choices.get(str(value), value))

    return setting.verbose_name, show
