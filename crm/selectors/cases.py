"""The case list: scoped to the user (an agent's own open cases, a manager's stores), filtered, searched and
sorted by the next deadline, with counts per state. A page costs the same few queries however many rows match:
the list is one query with its joins, the counts one aggregate."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Collate, Right

from crm import roles
from crm.models import Agent, Case, Customer, Order, Store
from crm.services.sla import SOON

from . import stores_for_user, stores_managed_by

PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""  # "": open; "all"; or one status
    source: str = ""
    triage_group: str = ""
    cause: str = ""
    sla: str = ""  # breached | soon | on_time
    store: int | None = None
    assignee: int | None = None
    q: str = ""


@dataclass
class CaseList:
    rows: list[Case]
    counts: dict[str, int] = field(default_factory=dict)
    page: int = 1
    has_next: bool = False


def _scope_store_ids(*, user) -> list[int] | None:
    """The stores the case list covers (None: every store, for a superuser). Values, not a subquery: the planner
    then knows how few cases they hold and reads them by store (200,000 cases: a few ms instead of a second)."""
    if user.is_superuser:
        return None
    return list(stores_for_user(user=user).values_list("id", flat=True))


def cases_in_scope(*, user, store_ids: list[int] | None = None) -> QuerySet[Case]:
    """What the case list may show: every case of the stores the user manages, and in the stores they serve as an
    agent the cases assigned to them (ADR 0045; a case page is open to every agent of its store: cases_for_user)."""
    if user.is_superuser:
        return Case.objects.all() if store_ids is None else Case.objects.filter(store_id__in=store_ids)
    if store_ids is None:
        store_ids = _scope_store_ids(user=user)
    managed = roles.managed_store_ids(user)
    whole = sorted(managed.intersection(store_ids))
    own = [pk for pk in store_ids if pk not in managed]
    if not own:
        return Case.objects.filter(store_id__in=whole)
    mine = Q(store_id__in=own, assignee__user=user)
    return Case.objects.filter(Q(store_id__in=whole) | mine if whole else mine)


# Fewer characters than a trigram: a name search of one or two characters finds names beginning with them (a
# surname, "张伟"); three or more find them anywhere in the name. PostgreSQL reads both off indexes (ADR 0042).
NAME_CONTAINS_FROM = 3


def _by_name(customers: QuerySet, q: str) -> QuerySet:
    if len(q) >= NAME_CONTAINS_FROM:
        return customers.filter(name__icontains=q)
    if connection.vendor == "postgresql" and q.upper() == q.lower():
        # No letter with a case: LIKE 'q%' in the C collation, a range of the (store, name COLLATE "C") index read in
        # order; the trigram index gathered every "张伟" of a big store first (ADR 0042).
        return customers.alias(name_c=Collate("name", "C")).filter(name_c__startswith=q)
    return customers.filter(name__istartswith=q)


def customer_ids_matching(q: str, *, store_ids: list[int] | None, with_orders: bool = True) -> QuerySet:
    """Ids of the customers of `store_ids` (None: every store) found by a name, the last four digits of a phone,
    or (with_orders) an order number. One query per way of finding them, each on its own index, joined by UNION:
    an OR over the three read every customer of the stores (a second and more at 450,000 customers, ADR 0042)."""
    q = q.strip()
    customers = Customer.objects.order_by()
    if store_ids is not None:
        customers = customers.filter(store_id__in=store_ids)
    found = _by_name(customers, q).values("id")
    if q.isdigit() and len(q) == 4:
        found = found.union(customers.alias(phone_last4=Right("phone", 4)).filter(phone_last4=q).values("id"))
    if with_orders:
        orders = Order.objects.order_by().filter(external_id=q)
        if store_ids is not None:
            orders = orders.filter(store_id__in=store_ids)
        found = found.union(orders.values("customer_id"))
    return found


def _sla_q(sla: str, now: datetime) -> Q:
    # A case waiting on the customer has no next deadline (its resolution clock is paused): it is on time.
    open_q = Q(status__in=Case.OPEN_STATUSES)
    if sla == "breached":
        return open_q & Q(next_due__lt=now)
    if sla == "soon":
        return open_q & Q(next_due__gte=now, next_due__lt=now + SOON)
    if sla == "on_time":
        return open_q & (Q(next_due__gte=now + SOON) | Q(next_due__isnull=True))
    return Q()


def case_list(*, user, filters: CaseFilters, now: datetime, page: int = 1) -> CaseList:
    store_ids = _scope_store_ids(user=user)
    cases = cases_in_scope(user=user, store_ids=store_ids)
    if filters.store:
        cases = cases.filter(store_id=filters.store)
    if filters.assignee:
        cases = cases.filter(assignee_id=filters.assignee)
    for name in ("source", "triage_group"):
        if value := getattr(filters, name):
            cases = cases.filter(**{name: value})
    if filters.cause:
        cases = cases.filter(Q(cause=filters.cause) | Q(causes__has_item=filters.cause))
    if filters.q:
        # Customers and orders of the scope's stores first (their store-led indexes), then their cases.
        in_scope = Q() if store_ids is None else Q(store_id__in=store_ids)
        customers = customer_ids_matching(filters.q, store_ids=store_ids, with_orders=False)
        orders = Order.objects.filter(in_scope, external_id=filters.q.strip())
        cases = cases.filter(Q(customer_id__in=customers) | Q(order_id__in=orders.values("id")))
    counts = cases.aggregate(
        open=Count("id", filter=Q(status=Case.Status.OPEN)),
        in_progress=Count("id", filter=Q(status=Case.Status.IN_PROGRESS)),
        awaiting_approval=Count("id", filter=Q(status=Case.Status.AWAITING_APPROVAL)),
        awaiting_customer=Count("id", filter=Q(status=Case.Status.AWAITING_CUSTOMER)),
        breached=Count("id", filter=_sla_q("breached", now)),
        soon=Count("id", filter=_sla_q("soon", now)),
        on_time=Count("id", filter=_sla_q("on_time", now)),
    )
    if filters.status == "":
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    elif filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.sla:
        cases = cases.filter(_sla_q(filters.sla, now))
    page = max(page, 1)
    start = (page - 1) * PAGE_SIZE
    rows = list(
        # Cases with no deadline running (waiting on the customer) last on both databases: PostgreSQL puts NULLs last
        # by itself (as the case_open_*_due indexes hold them), SQLite first.
        cases.select_related("store", "customer", "order", "assignee__user").order_by(
            F("next_due").asc(nulls_last=True), "id"
        )[start : start + PAGE_SIZE + 1]
    )
    return CaseList(rows=rows[:PAGE_SIZE], counts=counts, page=page, has_next=len(rows) > PAGE_SIZE)


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list, its labels resolved once per page (get_FOO_display hashes the lazy choices
    on every call, which cost more than the rest of a 50-row page)."""

    case: Case
    source: str
    triage_group: str
    cause: str
    more_causes: int
    status: str
    assignee: str
    due_local: datetime | None
    breached: bool


def case_rows(*, cases: list[Case], now: datetime) -> list[CaseRow]:
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("source", Case.Source.choices),
            ("triage_group", Case.TriageGroup.choices),
            ("cause", Case.Cause.choices),
            ("status", Case.Status.choices),
        )
    }
    zones: dict[str, ZoneInfo] = {}
    rows = []
    for case in cases:
        due = case.next_due if case.is_open else None
        zone = zones.setdefault(case.store.timezone, ZoneInfo(case.store.timezone))
        rows.append(
            CaseRow(
                case=case,
                source=labels["source"].get(case.source, case.source),
                triage_group=labels["triage_group"].get(case.triage_group, case.triage_group),
                cause=labels["cause"].get(case.cause, case.cause),
                more_causes=max(len(case.causes) - 1, 0),
                status=labels["status"].get(case.status, case.status),
                assignee=str(case.assignee) if case.assignee else "",
                due_local=due.astimezone(zone) if due else None,
                breached=due is not None and due < now,
            )
        )
    return rows


def case_list_choices(*, user) -> tuple[list[Store], list[Agent]]:
    """The stores and agents the filters offer: the user's stores, and the agents of those they manage (the
    assignee filter: an agent sees only their own cases); an agent's own stores."""
    if roles.is_store_manager(user) or user.is_superuser:
        stores = list(stores_for_user(user=user))
        managed = stores_managed_by(user=user)
        agents = list(
            Agent.objects.filter(stores__in=managed, user__is_active=True)
            .select_related("user")
            .distinct()
            .order_by("user__username")
        )
        return stores, agents
    return list(stores_for_user(user=user)), []


def open_cases_count(*, user, stores: list[Store]) -> int:
    """The open cases the case list shows the user (an agent's own, a manager's stores'): the home page's count."""
    return cases_in_scope(user=user, store_ids=[s.pk for s in stores]).filter(status__in=Case.OPEN_STATUSES).count()


def waiting_cases_count(*, user, stores: list[Store]) -> int:
    """Of those, the ones waiting on the customer (their resolution clock is paused)."""
    return (
        cases_in_scope(user=user, store_ids=[s.pk for s in stores]).filter(status=Case.Status.AWAITING_CUSTOMER).count()
    )


def overdue_cases_count(*, user, stores: list[Store], now: datetime) -> int:
    """Of those, the ones past their next deadline (the case list's "breached")."""
    return cases_in_scope(user=user, store_ids=[s.pk for s in stores]).filter(_sla_q("breached", now)).count()
