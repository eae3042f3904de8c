from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crm.errors import InvalidInput
from crm.models import Order
from crm.signals import orders_delivered

# Rows per UPDATE ... CASE statement: bulk_update's CASE is scanned per row, so smaller chunks stay linear.
_UPDATE_CHUNK = 200


@dataclass(frozen=True)
class OrderWarning:
    """What an order system should hear about an order although its request succeeded (shown in its row)."""

    code: str
    field: str
    message: str


@dataclass
class Delivered:
    orders: list[Order]  # delivered for the first time by this call
    warnings: dict[int, list[OrderWarning]] = field(default_factory=dict)  # by order id, from the receivers


def orders_mark_delivered(*, deliveries: Iterable[tuple[Order, datetime]]) -> list[Order]:
    """orders_deliver's orders: the ones delivered for the first time."""
    return orders_deliver(deliveries=deliveries).orders


@transaction.atomic
def orders_deliver(*, deliveries: Iterable[tuple[Order, datetime]]) -> Delivered:
    """Record "signed for" events, a whole batch at once. Returns the orders delivered for the first time.

    A repeated event for an already delivered order changes nothing (idempotent). The orders are locked in
    id order and re-read, so two concurrent posts of one event cannot both see it undelivered. One
    `orders_delivered` signal carries every first delivery, inside this transaction, so follow-up planning
    is set-based and commits or rolls back with the deliveries.
    """
    moments: dict[int, datetime] = {}
    for order, delivered_at in deliveries:
        if timezone.is_naive(delivered_at):
            raise InvalidInput("delivered_at must carry a UTC offset.", field="delivered_at")
        moments.setdefault(order.pk, delivered_at)
    if not moments:
        return Delivered(orders=[])
    locked = (
        Order.objects.select_for_update(of=("self",))
        .filter(pk__in=moments.keys(), delivered_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    newly_delivered = list(locked)
    for order in newly_delivered:
        order.delivered_at, order.status, order.updated_at = moments[order.pk], Order.Status.DELIVERED, now
    Order.objects.bulk_update(newly_delivered, ["delivered_at", "status", "updated_at"], batch_size=_UPDATE_CHUNK)
    warnings: dict[int, list[OrderWarning]] = {}
    if newly_delivered:
        answers = orders_delivered.send(
            sender=Order, deliveries=[(order, order.delivered_at) for order in newly_delivered]
        )
        for _receiver, found in answers:
            for order_id, order_warnings in (found or {}).items():
                warnings.setdefault(order_id, []).extend(order_warnings)
    return Delivered(orders=newly_delivered, warnings=warnings)
