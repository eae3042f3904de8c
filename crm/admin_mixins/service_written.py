"""Rows the services write, shown and not written here (ADR 0030): ``ServiceWrittenAdmin`` for a row's own list and
page, ``ServiceWrittenInline`` for the rows under another's."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from crm.admin_mixins.checked import CheckedAdmin
from crm.admin_mixins.dates import date_range_ordering
from crm.admin_mixins.masking import PHONE_REVEAL_PERMISSION, PayloadMasking, customer_at, masked_phone, payload_text
from crm.admin_mixins.paging import BoundedCountPaginator
from crm.admin_mixins.sorting import index_sortable_columns
from crm.models import Customer, Store
from crm.personal_data import phones_in
from crm.services.customers import personal_data_reveal_audit
from crm.services.deletions import records_delete


class ServiceWrittenAdmin(PayloadMasking, CheckedAdmin):
    editable_fields: tuple[str, ...] = ()
    deletable = False
    # Fields holding a customer's number: masked on the change page unless the user may change customers (a list
    # column shows `masked_phone(...)` to everyone).
    phone_fields: tuple[str, ...] = ()
    # Rows the services write grow with the stores' business: a filtered list counts its own rows, not the table's,
    # and no filter counts its choices' rows over the table ("Show counts").
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # Nor are the list's own rows counted: at most a page's worth of ids past ten pages, then the planner's estimate.
    paginator = BoundedCountPaginator
    # A delete is confirmed on a page listing every row it takes with it (Django's collector reads and renders each):
    # "select all N orders" and "Delete" read a big table whole and everything under it. A page of rows at a time.
    max_deleted = 100
    # Newest first by the primary key, which its index answers with the page's LIMIT: the models' own orderings
    # (placed_at, posted_at, window_start, at...) have no index of their own, so a list sorted by them read and sorted
    # the whole table on every load (~130 ms at 100,000 orders). A column header sorts only where an index leads with
    # its column (crm.admin_mixins.sorting).
    ordering = ("-pk",)

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.masked_phones = {name: masked_phone(name, model._meta.get_field(name).verbose_name)
                              for name in self.phone_fields}  # fmt: skip
        self.masked_payloads = self._payload_displays()

    def _phone_shown(self, request, name: str):
        if name in self.masked_phones and not request.user.has_perm(PHONE_REVEAL_PERMISSION):
            return self.masked_phones[name]
        return name

    def phone_owner(self, obj: models.Model) -> Customer | None:
        """The customer whose number `phone_fields` hold; None for a row about a number nobody held (a STOP from a
        number no customer has, ADR 0049)."""
        return obj if isinstance(obj, Customer) else obj.customer

    def payload_customers(self, obj: models.Model) -> list[Customer]:
        """The customers a row's payloads are about: the row's own (`payload_customer`), and whoever's number they
        hold, looked up in each store's (store, phone) index. Read once per row shown."""
        if not hasattr(obj, "_payload_customers"):
            own = customer_at(obj, self.payload_customer)
            fields = [(self.model._meta.get_field(name), getattr(obj, name)) for name in self.payload_fields]
            numbers = {
                number for field, value in fields for number in phones_in(payload_text(field, value, masked=False))
            }
            stores = list(Store.objects.values_list("pk", flat=True)) if numbers else []
            found = Customer.objects.filter(store__in=stores, phone__in=numbers) if numbers else []
            obj._payload_customers = list({c.pk: c for c in [*([own] if own else []), *found]}.values())
        return obj._payload_customers

    def payload_names(self, obj: models.Model) -> list[str]:
        return [customer.name for customer in self.payload_customers(obj)]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A change page that shows a whole number (or a payload with a customer's number or name) is a reveal,
        # audited as the pages audit one: each time it is shown.
        if obj is not None and request.user.has_perm(PHONE_REVEAL_PERMISSION):
            self._audit_reveal(request, obj, context.get("inline_admin_formsets", []))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _audit_reveal(self, request, obj: models.Model, inline_formsets) -> None:
        number_shown = any(getattr(obj, name) for name in self.phone_fields)
        customers = [owner] if number_shown and (owner := self.phone_owner(obj)) else []
        inlines = [(formset.opts, form.instance) for formset in inline_formsets
                   if isinstance(formset.opts, ServiceWrittenInline) for form in formset.formset.forms]  # fmt: skip
        payloads = self.payload_personal(obj) or any(inline.payload_personal(row) for inline, row in inlines)
        if payloads:
            customers += self.payload_customers(obj)
            customers += [c for inline, row in inlines if (c := customer_at(row, inline.payload_customer))]
        # A number of nobody's is still revealed: personal_data_reveal_audit records the page itself then.
        if customers or payloads or number_shown:
            personal_data_reveal_audit(customers={c.pk: c for c in customers}.values(), actor=request.user,
                                       admin_page=f"{obj._meta.label_lower}:{obj.pk}")  # fmt: skip

    def get_fields(self, request, obj=None):
        # Django lists the read-only fields after the form's; the masked ones stand in for their field, in its place.
        masked = [*self.masked_phones.values(), *self.masked_payloads.values()]
        fields = [
            self.payload_shown(request, self._phone_shown(request, name))
            for name in super().get_fields(request, obj)
            if name not in masked
        ]
        return list(dict.fromkeys(fields))

    def get_sortable_by(self, request):
        # A column header sorts only where an index answers the sort (crm.admin_mixins.sorting).
        return index_sortable_columns(self, request)

    def get_ordering(self, request):
        # A date range sorts by its date (crm.admin_mixins.dates): the index that holds the date answers both.
        return date_range_ordering(self, request) or super().get_ordering(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_bounded_delete(delete, self.max_deleted), name, description)
        return actions

    def delete_model(self, request, obj) -> None:
        # Through the service, so the apps that derived something from the row hear of it (the report's figures).
        records_delete(queryset=self.model._default_manager.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        records_delete(queryset=queryset)

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
        masked = [*self.masked_phones.values(), *self.masked_payloads.values()]
        return list(dict.fromkeys([*super().get_readonly_fields(request, obj), *guarded, *masked]))


def _bounded_delete(delete: Callable, most: int) -> Callable:
    """Django's delete action, refused for more than `most` rows (their ids read through a LIMIT, never counted)."""

    def delete_selected(modeladmin, request, queryset):
        if len(queryset.order_by().values_list("pk", flat=True)[: most + 1]) > most:
            message = _("Delete at most %(count)s rows at a time: choose them on a page.") % {"count": most}
            modeladmin.message_user(request, message, messages.ERROR)
            return None
        return delete(modeladmin, request, queryset)

    delete_selected.allowed_permissions = getattr(delete, "allowed_permissions", ("delete",))
    return delete_selected


class LatestRowsFormSet(BaseInlineFormSet):
    """The latest `max_shown` rows under the parent, newest first (by the key, which the parent's index sorts)."""

    max_shown = 100

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = self.queryset.order_by("-pk")[: self.max_shown]
        return self._queryset


class ServiceWrittenInline(PayloadMasking, admin.TabularInline):
    """The rows a service wrote under another (a case's remedies and timeline, a letter's inserts), as they are.

    Such rows grow without a bound (a long dispute's timeline, a parcel's checkpoints), and a change page rendered
    every one of them on each view: it shows the latest `max_shown`; the row's own page ("View on site") has them all.
    """

    extra = 0
    max_shown = 100
    formset = LatestRowsFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.max_shown = self.max_shown
        return formset

    def __init__(self, parent_model, admin_site):
        super().__init__(parent_model, admin_site)
        self.masked_payloads = self._payload_displays()
        # Made for each request (ModelAdmin.get_inline_instances), in its language.
        rows = self.verbose_name_plural
        self.verbose_name_plural = _("%(rows)s (the latest %(count)s)") % {"rows": rows, "count": self.max_shown}

    def get_fields(self, request, obj=None):
        return [self.payload_shown(request, name) for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.masked_payloads.values()]

    def get_queryset(self, request):
        # Each row's customer read with the rows, not once a row (a change list applies its own list_select_related).
        queryset = super().get_queryset(request)
        return queryset.select_related(self.payload_customer) if self.payload_customer else queryset

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
