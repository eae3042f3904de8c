"""Which of a store's paid, unshipped orders get a letter, which are held back, and which cards go with each.

"Paid and not yet shipped" is an order in status placed with no shipped time: order systems push an order
when it is paid (docs/architecture.md, Letters). The rule's conditions all hold or the order gets nothing;
the control group is a fixed share of the chosen orders, picked by a hash of the order so a second run
holds back the same ones.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, Q

from crm.models import Order, Store
from crm.validators import is_ascii_number

from .composing import OrderFacts, age_band_of
from .models import LetterRule, ParcelInsert
from .segments import segment_member_ids

# A store that never set its rule writes letters for orders of this value and more (the high-end parcels).
DEFAULT_MIN_AMOUNT = Decimal("1000.00")


def packing_key(external_id: str) -> tuple:
    """The packing list's order: by order number, numerically where the numbers are digits (A-9 before A-10)."""
    return tuple((0, int(chunk), "") if is_ascii_number(chunk) else (1, 0, chunk) for chunk in _chunks(external_id))


def _chunks(text: str) -> list[str]:
    chunks, current = [], ""
    for char in text:
        if current and is_ascii_number(char) != is_ascii_number(current[-1]):
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks


def orders_awaiting_letters(*, store: Store) -> list[Order]:
    """The store's paid, unshipped orders that no letter run has looked at yet, in packing order."""
    orders = (
        Order.objects.filter(store=store, status=Order.Status.PLACED, shipped_at__isnull=True, letter__isnull=True)
        .select_related("customer")
        .only("id", "external_id", "total_amount", "currency", "items", "placed_at", "customer")
    )
    return sorted(orders, key=lambda order: packing_key(order.external_id))


def order_categories(order: Order) -> frozenset[str]:
    return frozenset(str(item["category"]) for item in order.items if isinstance(item, dict) and item.get("category"))


def facts_for(*, store: Store, orders: list[Order], day: date) -> dict[int, OrderFacts]:
    """{order id: facts}; a first purchase is the customer's earliest order that was not cancelled."""
    firsts = dict(
        Order.objects.filter(customer_id__in={o.customer_id for o in orders})
        .filter(~Q(status=Order.Status.CANCELLED))
        .values("customer_id")
        .annotate(first=Min("placed_at"))
        .values_list("customer_id", "first")
    )
    return {
        order.pk: OrderFacts(
            order_id=order.pk,
            external_id=order.external_id,
            customer_name=order.customer.name,
            gender=order.customer.gender,
            age_band=age_band_of(order.customer.birthday, day),
            region=order.customer.region,
            categories=order_categories(order),
            first_purchase=firsts.get(order.customer_id) == order.placed_at,
            # Order values are the store's currency; another cannot be compared with them (ADR 0036).
            amount=order.total_amount if order.currency == store.currency else None,
            product=order.product_summary,
        )
        for order in orders
    }


@dataclass(frozen=True)
class Decision:
    letter: bool
    held_back: bool
    reason: str


def rule_decide(*, rule: LetterRule, store: Store, facts: Iterable[OrderFacts], customers: dict[int, int]) -> dict:
    """{order id: Decision} for the orders; `customers` maps order id to customer id (for segments)."""
    facts = list(facts)
    members = segment_member_ids(store=store, segment_id=rule.segment) if rule.segment else None
    decisions = {}
    for fact in facts:
        if not rule.enabled:
            decisions[fact.order_id] = Decision(False, False, "letters off")
        elif rule.min_amount is not None and fact.amount is None:
            decisions[fact.order_id] = Decision(False, False, "another currency")
        elif rule.min_amount is not None and fact.amount < rule.min_amount:
            decisions[fact.order_id] = Decision(False, False, "below threshold")
        elif rule.first_purchase_only and not fact.first_purchase:
            decisions[fact.order_id] = Decision(False, False, "repeat purchase")
        elif members is not None and customers[fact.order_id] not in members:
            decisions[fact.order_id] = Decision(False, False, "not in segment")
        elif in_control_group(store_id=store.pk, external_id=fact.external_id, percent=rule.control_percent):
            decisions[fact.order_id] = Decision(False, True, "control group")
        else:
            decisions[fact.order_id] = Decision(True, False, "chosen")
    return decisions


def in_control_group(*, store_id: int, external_id: str, percent: int) -> bool:
    if percent <= 0:
        return False
    digest = hashlib.blake2b(f"control:{store_id}:{external_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % 100 < percent


def inserts_for(*, inserts: list[ParcelInsert], facts: OrderFacts) -> list[ParcelInsert]:
    return [
        insert
        for insert in inserts
        if insert.active
        and (not insert.category or insert.category in facts.categories)
        and (insert.min_amount is None or (facts.amount is not None and facts.amount >= insert.min_amount))
        and (not insert.first_purchase_only or facts.first_purchase)
    ]


def rule_for(*, store: Store) -> LetterRule:
    """The store's saved rule, or the default (unsaved): letters for orders of 1,000 and more."""
    try:
        return store.letter_rule
    except LetterRule.DoesNotExist:
        return LetterRule(store=store, min_amount=DEFAULT_MIN_AMOUNT)
