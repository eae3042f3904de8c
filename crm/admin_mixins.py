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
- A table that grows with the stores' business (customers, orders, reviews, cases, follow-ups, parcels) is searched
  by the keys operators are given, each looked up where an index holds it (``KeyedSearchAdmin``), never with
  ``LIKE '%q%'`` over every row.
- A list of such a table counts no rows to number its pages (``crm.admin_paging``), reads a date range in an index
  that holds the date (``crm.admin_dates``: within a store where that index leads with the store), and reads no
  column over every row on a load: a filter offers fixed choices (``choices_filter``), a date is filtered by ranges
  (Django's ``DateFieldListFilter``), never by a date hierarchy; it sorts only by a column an index leads with
  (``crm.admin_sorting``).
- Every list (``CheckedAdmin`` and all built on it) takes from its address only the lookups its filters, date hierarchy
  and search make (``crm.admin_lookups``): any other, on the model's own fields too, is a 400 before a row is read.
- A customer's phone number is shown as the pages show it to agents, masked by ``crm.phones.mask_phone``
  (``phone_fields``): in every list, and on a change page to anyone who may not change customers. A change page that
  shows it whole is audited as a reveal on the pages is (``customer_phone_reveal_audit``), each time it is shown.
- An amount of a store's setting (a threshold, a playbook's cost) is in the store's currency (ADR 0036) and says so
  (``StoreMoneyAdmin``): its label names the currency on a row's change page, its help text on the add page. The
  store's own agent remedy limit too, in the currency set on the same page.
- What a provider or an order system sent, kept as it came (``payload_fields``: the inbound log's rows, telephony
  events, a courier's checkpoints), is shown the same way: its numbers, names and addresses masked
  (``crm.personal_data``) for anyone who may not change customers; shown whole, it is a reveal, audited.
"""

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.admin_dates import date_range_ordering
from crm.admin_lookups import DeclaredLookupsAdmin
from crm.admin_paging import BoundedCountPaginator
from crm.admin_sorting import index_sortable_columns
from crm.errors import DomainError, InvalidInput, InvalidPhoneNumber
from crm.models import Agent, Customer, Order, Store
from crm.money import money_text
from crm.pages import form_error
from crm.personal_data import mask_json_text, mask_payload, phones_in
from crm.phones import mask_phone, normalise_phone
from crm.services.customers import personal_data_reveal_audit
from crm.withdrawals import WithdrawalsNotConfirmed

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


def _follow(obj: models.Model, path: str) -> Customer | None:
    """The row at the end of a `a__b__c` path of foreign keys, or None where one is empty."""
    for name in path.split("__") if path else ():
        obj = getattr(obj, name, None)
    return obj if isinstance(obj, Customer) else None


class _Payloads:
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
        customer = _follow(obj, self.payload_customer)
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


def choices_filter(choices: Iterable[tuple[str, Any]]) -> type[admin.FieldListFilter]:
    """A list filter on a field offering `choices` (value, label), as if the field declared them.

    Django's own filter for a field without choices lists its values with `SELECT DISTINCT` over the whole table, on
    every load of the list; the codes a service writes there (an outcome, a reason, an action) are known.
    """
    fixed = list(choices)

    class FixedChoicesFilter(admin.ChoicesFieldListFilter):
        def __init__(self, field, request, params, model, model_admin, field_path):
            field = copy.copy(field)
            field.choices = fixed
            super().__init__(field, request, params, model, model_admin, field_path)

    return FixedChoicesFilter


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


class ServiceWrittenAdmin(_Payloads, CheckedAdmin):
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
    # its column (crm.admin_sorting).
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
            own = _follow(obj, self.payload_customer)
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
            customers += [c for inline, row in inlines if (c := _follow(row, inline.payload_customer))]
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
        # A column header sorts only where an index answers the sort (crm.admin_sorting).
        return index_sortable_columns(self, request)

    def get_ordering(self, request):
        # A date range sorts by its date (crm.admin_dates): the index that holds the date answers both.
        return date_range_ordering(self, request) or super().get_ordering(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_bounded_delete(delete, self.max_deleted), name, description)
        return actions

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


class KeyedSearchAdmin(ServiceWrittenAdmin):
    """A big table's list, searched by the keys operators are given, each an exact lookup an index answers.

    - `search_fields`: the row's own keys (an order number, a tracking number), each in a (store, key) index. The
      stores are named, so PostgreSQL probes each store's part of the index rather than reading the table.
    - `customer_key`: the row's customer ("pk" on the customer's own admin), found by their number (any way it is
      written: normalised to E.164 with `normalise_phone`, as stored) or their id in the order system.
    - `order_key`: the row's order, found by its number.

    What the search finds is read first (two or three small queries), so the list's own query is a lookup by ids.
    """

    customer_key = ""
    order_key = ""
    search_help_text = gettext_lazy("An order number, or a customer's phone number or id in the order system, in full.")

    def get_search_fields(self, request):
        # What the search box reads (Django shows the box when this is not empty).
        return [key for key in (*self.search_fields, self.customer_key, self.order_key) if key]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        stores = list(Store.objects.values_list("pk", flat=True))
        found = Q(pk__in=[])
        for field in self.search_fields:
            found |= Q(store__in=stores, **{field: term})
        if self.customer_key:
            customers = Customer.objects.filter(Q(external_id=term) | _phone_match(term), store__in=stores)
            found |= Q(**{f"{self.customer_key}__in": list(customers.values_list("pk", flat=True))})
        if self.order_key:
            orders = Order.objects.filter(store__in=stores, external_id=term)
            found |= Q(**{f"{self.order_key}__in": list(orders.values_list("pk", flat=True))})
        return queryset.filter(found), False


def _phone_match(term: str) -> Q:
    try:
        return Q(phone=normalise_phone(term))
    except InvalidPhoneNumber:
        return Q(pk__in=[])


class LatestRowsFormSet(BaseInlineFormSet):
    """The latest `max_shown` rows under the parent, newest first (by the key, which the parent's index sorts)."""

    max_shown = 100

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = self.queryset.order_by("-pk")[: self.max_shown]
        return self._queryset


class ServiceWrittenInline(_Payloads, admin.TabularInline):
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
