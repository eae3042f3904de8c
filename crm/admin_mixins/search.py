"""A big table's list searched by the keys operators are given, each where an index holds it (ADR 0033)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy

from crm.admin_mixins.service_written import ServiceWrittenAdmin
from crm.errors import InvalidPhoneNumber
from crm.models import Customer, Order, Store
from crm.phones import normalise_phone


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
