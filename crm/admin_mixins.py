"""What the Django admin may write (ADR 0030). Every project admin.py builds on these.

- A setting (a store, an agent, a policy, a template) is edited here and checked as its page's service checks it
  (``CheckedAdmin``): ``service_check(obj)`` calls the service's own validators and raises its domain error, shown next
  to the field it names; and a row of a store names only that store's rows, and agents who serve it.
- Rows the services write are shown, not written, here (``ServiceWrittenAdmin``, ``ServiceWrittenInline``):
  records of what happened (the audit log, telephony events, the contact ledger, profile changes, the inbound log,
  call attempts) and rows whose state the services move under their rules (a case and its remedies, a follow-up,
  a campaign and its contacts, a letter). A change there runs in the service's transaction, with its row locks,
  its audit entry and its signal; the admin's own save would have none of them. Such a row is changed on its
  page (the admin's "View on site"), never added here, and deleted here only when the admin says so
  (``deletable``: data an order system sent by mistake, which the rows that hang on it still protect).
  ``editable_fields`` names the few fields no rule guards.
"""

from collections.abc import Callable

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _

from crm.errors import DomainError, InvalidInput
from crm.models import Agent
from crm.pages import form_error


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


class _Checked:
    """Mixed into the admin's form: after Django's own checks, the service's (see CheckedAdmin)."""

    admin_check: Callable[[models.Model], None]

    def _post_clean(self) -> None:
        # The form's values are on the instance from here on (Django's ModelForm._post_clean).
        super()._post_clean()
        if self.errors:
            return
        try:
            store_rows_check(self.instance, self.cleaned_data)
            self.admin_check(self.instance)
        except DomainError as error:
            form_error(self, error)


class CheckedAdmin(admin.ModelAdmin):
    def service_check(self, obj: models.Model) -> None:
        """Raise the domain error the page's service would raise for `obj` (naming the field); may tidy a value as
        the service stores it (a phone in E.164)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (_Checked, form), {"admin_check": staticmethod(self.service_check)})


class ServiceWrittenAdmin(CheckedAdmin):
    editable_fields: tuple[str, ...] = ()
    deletable = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return bool(self.editable_fields) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        guarded = [
            field.name
            for field in self.model._meta.get_fields()
            if (field.concrete or field.many_to_many)
            and not field.auto_created
            and field.name not in self.editable_fields
        ]
        return list(dict.fromkeys([*super().get_readonly_fields(request, obj), *guarded]))


class ServiceWrittenInline(admin.TabularInline):
    """The rows a service wrote under another (a case's remedies and timeline, a letter's inserts), as they are."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
