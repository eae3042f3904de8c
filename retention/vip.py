"""The VIP thresholds a store's rule uses and where they come from (ADR 0043).

A store's own thresholds are saved on its `RetentionPolicy`, in the store's currency. A store without them gets the
house defaults, which are yuan figures (2,000 / 5,000 / 10,000): a store selling in yuan as they are; a store
selling in another currency converted at its follow-up policy's rate (`FollowUpPolicy.rates_into`, the rates its
spend is converted with), rounded to whole units; and when no rate converts yuan into its currency, none at all
(nobody is VIP by spend) until its manager sets them, since a yuan figure read as euros would make a customer who
spent 2,000 euros a mere silver and nobody gold. Follow-up tiers do the same with an order no rate converts: it is
not compared with a figure in another money.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from callbacks.services.policy import policy_for_store
from crm.models import Store

HOUSE_CURRENCY = "CNY"
HOUSE_THRESHOLDS = {
    "silver_min_spent": Decimal("2000"),
    "gold_min_spent": Decimal("5000"),
    "platinum_min_spent": Decimal("10000"),
}
FIELDS = tuple(HOUSE_THRESHOLDS)


class Source:
    OWN = "own"  # saved on the store's retention policy
    HOUSE = "house"  # the house defaults, the store selling in yuan
    CONVERTED = "converted"  # the house defaults at the follow-up policy's rate
    NOT_SET = "not_set"  # no rate converts yuan into the store's currency


@dataclass(frozen=True)
class VipThresholds:
    currency: str
    source: str
    values: dict[str, Decimal] | None  # silver, gold, platinum; None when not set
    min_orders: int = 2  # RetentionPolicy.vip_min_orders's default


def vip_default_thresholds(*, store: Store) -> VipThresholds:
    """The house defaults in the store's currency (see the module's docstring)."""
    if store.currency == HOUSE_CURRENCY:
        return VipThresholds(store.currency, Source.HOUSE, dict(HOUSE_THRESHOLDS))
    rate = policy_for_store(store=store).rates_into(store.currency).get(HOUSE_CURRENCY)
    if rate is None:
        return VipThresholds(store.currency, Source.NOT_SET, None)
    values = {name: (amount * rate).quantize(Decimal("1"), ROUND_HALF_UP) for name, amount in HOUSE_THRESHOLDS.items()}
    return VipThresholds(store.currency, Source.CONVERTED, values)


def vip_thresholds(*, store: Store) -> VipThresholds:
    """The thresholds the store's VIP rule uses now: its own, else the house defaults in its currency."""
    from .models import RetentionPolicy

    try:
        policy = store.retention_policy
    except RetentionPolicy.DoesNotExist:
        return vip_default_thresholds(store=store)
    values = {name: getattr(policy, name) for name in FIELDS}
    return VipThresholds(store.currency, Source.OWN, values, policy.vip_min_orders)
