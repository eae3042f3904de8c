"""Who is a store manager, and of which stores (ADR 0045).

The role is held per store: each store an agent serves is served as an agent or as its manager (`AgentStore.role`).
A manager's role counts while the account is in the store managers' group, a Django group created by a data
migration, as the agents' group is: the group grants the manager pages at all, the role says for which stores. So
someone who manages store A and helps out in store B as an agent is an agent in B: they approve nothing there and
B's manager pages are a 404 to them.

Superusers are none of this: the selectors give them every store's pages (crm.selectors.stores_managed_by), and the
actions of a store's manager stay with the managers of that store.
"""

from django.db.models import QuerySet

AGENT = "agent"
STORE_MANAGER = "store_manager"
ALL = (AGENT, STORE_MANAGER)


def in_manager_group(user) -> bool:
    """Whether the account is in the store managers' group (what lets a manager's role count)."""
    return user.groups.filter(name=STORE_MANAGER).exists()


def manager_memberships() -> QuerySet:
    """The memberships that make their agent a manager of their store: the manager's role, held by an account in
    the store managers' group. Callers narrow it (a user, stores, active accounts)."""
    from crm.models import AgentStore, StoreRole

    return AgentStore.objects.filter(role=StoreRole.MANAGER, agent__user__groups__name=STORE_MANAGER)


def managed_store_ids(user) -> frozenset[int]:
    """The ids of the stores `user` manages; empty for anyone else (an agent, a superuser without the role)."""
    if not (user and user.is_authenticated):
        return frozenset()
    # Asked by the view, its selectors, the nav and the services about the same request.user: one query per request.
    known = getattr(user, "_crm_managed_store_ids", None)
    if known is None:
        ids = manager_memberships().filter(agent__user=user).values_list("store_id", flat=True)
        known = user._crm_managed_store_ids = frozenset(ids)
    return known


def is_store_manager(user) -> bool:
    """Whether `user` manages at least one store: they have manager pages at all (each shows only their stores)."""
    return bool(managed_store_ids(user))


def manages_store(user, store) -> bool:
    """Whether `user` is a manager of `store` (a Store or its id): asked before anything only its managers may do."""
    return getattr(store, "pk", store) in managed_store_ids(user)


def agent_manages_store(agent, store) -> bool:
    """Whether the agent profile is a manager of `store` (a Store or its id), read afresh: a service's own check,
    inside its transaction, before anything only the store's managers may do."""
    return manager_memberships().filter(agent=agent, store_id=getattr(store, "pk", store)).exists()
