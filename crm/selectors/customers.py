"""The customer list and the customer's archive page: profile, purchase habits, contacts, cases and the
sections other apps add (crm.casework.customer_sections)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, QuerySet, Sum

from crm.models import Case, CaseEvent, Customer, CustomerChange, Order, Store

from . import stores_for_user
from .cases import customer_ids_matching

PAGE_SIZE = 50
# "Orders in progress" on a dedicated owner's list: not yet delivered, or delivered within the follow-up weeks.
IN_PROGRESS = (Order.Status.PLACED, Order.Status.SHIPPED, Order.Status.DELIVERED)


def customers_holding(*, phones: Iterable[str]) -> QuerySet[Customer]:
    """Every store's customers whose phone is one of `phones` (the sender of an inbound SMS, a campaign's replies).
    Named by store as well: the phone index leads with the store, and a phone alone is a scan of every customer
    (100 ms at 500,000 customers, against 0.1 ms for one index probe per store)."""
    return Customer.objects.filter(store_id__in=list(Store.objects.values_list("pk", flat=True)), phone__in=phones)


def customers_for_user(*, user) -> QuerySet[Customer]:
    return Customer.objects.filter(store__in=stores_for_user(user=user)).select_related(
        "store", "dedicated_owner__user"
    )


# A search finding more customers than this shows the first this many found, in name order, and asks for more of
# the name: sorting every "张伟" of a big store by name to show fifty took over a second (ADR 0042).
MATCHES_SHOWN = 1000


@dataclass(frozen=True)
class CustomerPage:
    rows: list[Customer]
    has_next: bool
    too_many: bool  # the search found more than `matches_shown` customers: the rows are from the first found
    matches_shown: int = field(default_factory=lambda: MATCHES_SHOWN)


def customer_search(
    *, user, q: str = "", owner_only: bool = False, page: int = 1, store: Store | None = None
) -> CustomerPage:
    """A page of the user's customers (of `store` only, one of theirs, when given) in name order, found by `q`
    (customer_ids_matching) if given. The stores as values, not a subquery: for one store the planner reads the page
    off the (store, name, id) index, for several off (name, id)."""
    if store is not None:
        store_ids = [store.pk]
    else:
        store_ids = None if user.is_superuser else list(stores_for_user(user=user).values_list("id", flat=True))
    customers = Customer.objects.select_related("store", "dedicated_owner__user")
    if store_ids is not None:
        customers = customers.filter(store_id__in=store_ids)
    start = (max(page, 1) - 1) * PAGE_SIZE
    if q.strip() and not owner_only:
        return _search_page(customers, q, store_ids=store_ids, start=start)
    if owner_only:  # a dedicated owner's few customers: their own index bounds the search
        customers = customers.filter(dedicated_owner__user=user)
        if q.strip():
            customers = customers.filter(id__in=customer_ids_matching(q, store_ids=store_ids))
    rows = list(customers.order_by("name", "id")[start : start + PAGE_SIZE + 1])
    return CustomerPage(rows=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, too_many=False)


def _search_page(customers: QuerySet[Customer], q: str, *, store_ids: list[int] | None, start: int) -> CustomerPage:
    """The page of a search: at most MATCHES_SHOWN customers found, put in name order here. ORDER BY name LIMIT over
    `id IN (...)` led PostgreSQL to walk the stores' name index until it met enough of them (0.7 s for a common
    name); a thousand names and ids are read by key and sorted in no time."""
    found = list(customer_ids_matching(q, store_ids=store_ids)[: MATCHES_SHOWN + 1].values_list("id", flat=True))
    keys = sorted(Customer.objects.filter(id__in=found[:MATCHES_SHOWN]).values_list("name", "id"))
    page = [pk for _, pk in keys[start : start + PAGE_SIZE]]
    rows = sorted(customers.filter(id__in=page), key=lambda customer: (customer.name, customer.pk))
    return CustomerPage(rows=rows, has_next=len(keys) > start + PAGE_SIZE, too_many=len(found) > MATCHES_SHOWN)


@dataclass(frozen=True)
class Spend:
    """What the customer spent in one currency: amounts in different currencies are never added up (ADR 0036)."""

    currency: str
    total: Decimal
    average: Decimal


@dataclass(frozen=True)
class PurchaseHabits:
    orders: int
    spend: list[Spend]  # per currency, the one most ordered in first
    first: datetime | None
    last: datetime | None
    typical_days_between: int | None
    top_products: list[tuple[str, int]]


def purchase_habits(*, customer: Customer, with_products: bool = True) -> PurchaseHabits:
    """One aggregate query over the customer's orders (cancelled ones left out), grouped by currency, and, for the
    products bought most, one read of their items (the case page's archive leaves it out)."""
    orders = Order.objects.filter(customer=customer).exclude(status=Order.Status.CANCELLED)
    per_currency = list(
        orders.values("currency")
        .annotate(
            n=Count("id"),
            total=Sum("total_amount"),
            avg=Avg("total_amount"),
            first=Min("placed_at"),
            last=Max("placed_at"),
        )
        .order_by("-n", "currency")
    )
    n = sum(row["n"] for row in per_currency)
    first = min((row["first"] for row in per_currency), default=None)
    last = max((row["last"] for row in per_currency), default=None)
    between = None
    if n > 1:
        between = round((last - first).total_seconds() / 86400 / (n - 1))
    products: Counter[str] = Counter()
    for items in orders.values_list("items", flat=True) if with_products else ():
        for item in items or []:
            if isinstance(item, dict):
                products[str(item.get("name") or item.get("sku") or "?")] += int(item.get("quantity") or 1)
    return PurchaseHabits(
        orders=n,
        spend=[Spend(row["currency"], row["total"], row["avg"].quantize(Decimal("0.01"))) for row in per_currency],
        first=first,
        last=last,
        typical_days_between=between,
        top_products=products.most_common(5),
    )


def customer_orders(*, customer: Customer, limit: int = 20) -> list[Order]:
    return list(Order.objects.filter(customer=customer).order_by("-placed_at", "-id")[:limit])


def customer_cases(*, customer: Customer, exclude: Case | None = None, limit: int = 50) -> list[Case]:
    """The customer's latest cases (a busy customer's history is not read whole)."""
    cases = Case.objects.filter(customer=customer).select_related("order", "assignee__user")
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    return list(cases.order_by("-opened_at", "-id")[:limit])


def customer_contacts(*, customer: Customer, limit: int = 50) -> list[CaseEvent]:
    """Calls and SMS logged on the customer's cases (the evening follow-ups are added by callbacks' section)."""
    kinds = (CaseEvent.Kind.CALL, CaseEvent.Kind.CALL_ATTEMPT, CaseEvent.Kind.SMS)
    return list(
        CaseEvent.objects.filter(case__customer=customer, kind__in=kinds)
        .select_related("actor", "case")
        .order_by("-at", "-id")[:limit]
    )


def customer_changes(*, customer: Customer, limit: int = 30) -> list[CustomerChange]:
    return list(customer.changes.select_related("changed_by")[:limit])


def owner_orders_in_progress(*, user, limit: int = 100, store: Store | None = None) -> list[Order]:
    """A dedicated owner's customers' orders that are placed, shipped or delivered (not yet closed out), in the
    stores the owner serves (in `store`, one of them, when given): taken off a store, they stay its customers' owner
    until someone reassigns them."""
    stores = stores_for_user(user=user)
    if store is not None:
        stores = stores.filter(pk=store.pk)
    return list(
        Order.objects.filter(customer__dedicated_owner__user=user, store__in=stores, status__in=IN_PROGRESS)
        .select_related("customer", "store")
        .order_by("-placed_at", "-id")[:limit]
    )
