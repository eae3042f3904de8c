"""A store's logistics policy, read with defaults."""

from crm.models import Store
from logistics.models import LogisticsPolicy


def logistics_policy_for_store(*, store: Store) -> LogisticsPolicy:
    """The store's saved policy, or the defaults (unsaved) when its manager never changed them."""
    try:
        return store.logistics_policy
    except LogisticsPolicy.DoesNotExist:
        return LogisticsPolicy(store=store)
