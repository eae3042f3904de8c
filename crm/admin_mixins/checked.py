"""A setting edited in the admin is checked as its page's service checks it, and a change that would withdraw campaign
contacts is saved only once confirmed (``CheckedAdmin``)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext as _

from crm.admin_mixins.lookups import DeclaredLookupsAdmin
from crm.errors import DomainError, InvalidInput
from crm.models import Agent
from crm.pages import form_error
from crm.withdrawals import WithdrawalsNotConfirmed


def store_rows_check(obj: models.Model, cleaned_data: dict) -> None:
    """Raise InvalidInput when a row of a store names another store's row, or an agent who does not serve it."""
    store_id = getattr(obj, "store_id", None)
    if store_id is None:
        return
    for name, value in cleaned_data.items():
        chosen = list(value) if isinstance(value, models.QuerySet | list | tuple) else [value]
        for row in chosen:
            if isinstance(row, Agent):
                if not row.stores.filter(pk=store_id).exists():
                    raise InvalidInput(_("Choose an agent who serves this store."), field=name)
            elif isinstance(row, models.Model) and getattr(row, "store_id", store_id) != store_id:
                raise InvalidInput(_("Choose one of this store's own."), field=name)


def _holds_nul(value: Any) -> bool:
    """Whether a JSON value holds a NUL character anywhere (a key, a string, at any depth)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class _Checked:
    """Mixed into the admin's form: after Django's own checks, the service's (see CheckedAdmin)."""

    admin_check: Callable[[models.Model], None]

    def _post_clean(self) -> None:
        # The form's values are on the instance from here on (Django's ModelForm._post_clean).
        super()._post_clean()
        # PostgreSQL's jsonb cannot hold \u0000, and Django's NUL check on a text field does not look inside a JSON
        # field's value: refused on its field, as a text field refuses it, before the service reads it.
        for name, field in self.fields.items():
            if isinstance(field, forms.JSONField) and _holds_nul(self.cleaned_data.get(name)):
                nul = ProhibitNullCharactersValidator()
                self.add_error(name, forms.ValidationError(nul.message, code=nul.code))
        if self.errors:
            return
        try:
            store_rows_check(self.instance, self.cleaned_data)
            self.admin_check(self.instance)
        except DomainError as error:
            form_error(self, error)


class _ConfirmsWithdrawals:
    """Mixed into the admin's form after the service's checks (_Checked): a change that would withdraw campaign
    contacts is saved only once the admin ticks its `confirm_withdrawals` (a `crm.withdrawals.WithdrawalsConfirmField`)
    for as many, as on the pages (ADR 0046); the question is shown at that field, nothing saved."""

    withdrawals_check: Callable[[models.Model, int | None], int]

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            self.withdrawals_check(self.instance, self.cleaned_data.get("confirm_withdrawals"))
        except WithdrawalsNotConfirmed as asked:
            self.fields["confirm_withdrawals"].ask(asked.total)
            form_error(self, asked)


class CheckedAdmin(DeclaredLookupsAdmin):
    # An admin whose saves may withdraw campaign contacts names the service's check here:
    # (the object as it would be saved, the number confirmed) -> raises WithdrawalsNotConfirmed; its form declares
    # `confirm_withdrawals`.
    withdrawals_check: Callable[[models.Model, int | None], int] | None = None

    def service_check(self, obj: models.Model) -> None:
        """Raise the domain error the page's service would raise for `obj` (naming the field); may tidy a value as
        the service stores it (a phone in E.164)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form = type(form.__name__, (_Checked, form), {"admin_check": staticmethod(self.service_check)})
        if self.withdrawals_check is None:
            return form
        return type(
            form.__name__, (_ConfirmsWithdrawals, form), {"withdrawals_check": staticmethod(self.withdrawals_check)}
        )
