"""The demo's stores, and what their currencies are worth to the follow-up policies."""

from decimal import Decimal

from .catalogue import DemoStore
from .jade import JADE
from .silk import SILK
from .tea import TEA

# Each store's prices span the follow-up tiers (ADR 0004's defaults: under 300 nothing, SMS, call from 1,000, a
# dedicated owner from 2,000), so every store shows every kind of follow-up.
STORES: tuple[DemoStore, ...] = (SILK, JADE, TEA)

# What one unit of each store currency is worth in CNY, for the demo's follow-up policies (tiers are in CNY).
CNY_PER_UNIT = {"CNY": Decimal("1"), "EUR": Decimal("7.80")}


def demo_store(code: str) -> DemoStore:
    return next(s for s in STORES if s.code == code)
