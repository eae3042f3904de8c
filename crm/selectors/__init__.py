"""Read queries for views and the API, always scoped to what the user may see."""

from collections.abc import Iterable

from django.core.validators import slug_re
from django.db.models import Q, QuerySet

from crm import roles
from crm.models import Agent, Case, CaseEvent, Order, Store, WorkerHeartbeat


def stores_for_user(*, user) -> QuerySet[Store]:
    if not user.is_authenticated:
        return Store.objects.none()
    if user.is_superuser:
        return Store.objects.all()
    return Store.objects.filter(agents__user=user)


def stores_managed_by(*, user) -> QuerySet[Store]:
    """The stores whose manager pages (approvals, escalations, policy, reports) the user may open: those they serve as
    a manager (crm.roles, ADR 0045), not those they serve as an agent; every store for a superuser."""
    if user.is_authenticated and user.is_superuser:
        return Store.objects.all()
    managed = roles.managed_store_ids(user)
    if not managed:
        return Store.objects.none()
    return Store.objects.filter(pk__in=sorted(managed))


def store_by_code(*, stores: QuerySet[Store], code: str | None) -> Store | None:
    """The store of `stores` whose code a page's ?store= (or a form's store field) names, or None. A code is a slug:
    anything else (a NUL character, which PostgreSQL refuses in a query) names no store."""
    if not code or not slug_re.fullmatch(code):
        return None
    return stores.filter(code=code).first()


def user_serves_store(*, user, store: Store) -> bool:
    return stores_for_user(user=user).filter(pk=store.pk).exists()


def cases_for_user(*, user) -> QuerySet[Case]:
    return Case.objects.filter(store__in=stores_for_user(user=user)).select_related(
        "store", "customer", "order", "assignee__user"
    )


def case_timeline_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


def heartbeat_latest(*, name: str = "worker") -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(name=name).first()


def orders_for_stores(*, store_ids: list[int]) -> QuerySet[Order]:
    """Orders of these stores only: the scope an API token grants (crm.api.auth.StoreScope.ids)."""
    return Order.objects.filter(store_id__in=store_ids).select_related("store", "customer")


def orders_by_keys(*, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Order]:
    """{(store_id, external_id): order} for the keys that exist; callers pass keys inside their scope."""
    if not keys:
        return {}
    by_store: dict[int, list[str]] = {}
    for store_id, external_id in keys:
        by_store.setdefault(store_id, []).append(external_id)
    condition = Q()
    for store_id, external_ids in by_store.items():
        condition |= Q(store_id=store_id, external_id__in=external_ids)
    return {(o.store_id, o.external_id): o for o in Order.objects.filter(condition).select_related("store")}


def agent_for_user(*, user) -> Agent | None:
    """The agent profile behind a logged-in user (None for an admin without one)."""
    return Agent.objects.filter(user=user).select_related("user").first() if user.is_authenticated else None


def agents_serving(*, store: Store) -> QuerySet[Agent]:
    return Agent.objects.filter(stores=store, user__is_active=True).select_related("user").order_by("user__username")


def store_ids_with_another_manager(*, store_ids: Iterable[int], user) -> set[int]:
    """Of these stores, those managed by an active store manager other than `user` (one who serves the store as an
    agent is no second pair of eyes, ADR 0045): one query, for a page of rows."""
    managed = roles.manager_memberships().filter(store_id__in=list(store_ids), agent__user__is_active=True)
    return set(managed.exclude(agent__user=user).values_list("store_id", flat=True).distinct())
