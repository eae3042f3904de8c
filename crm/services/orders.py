from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crm.errors import InvalidInput
from crm.models import Order
from crm.signals import order_delivered


@transaction.atomic
def orders_mark_delivered(*, deliveries: Iterable[tuple[Order, datetime]]) -> list[Order]:
    """Record "signed for" events. Returns the orders delivered for the first time by this call.

    A repeated event for an already delivered order changes nothing (idempotent). Each first delivery
    sends `order_delivered` inside this transaction, so follow-up planning commits or rolls back with it.
    """
    newly_delivered: list[Order] = []
    for order, delivered_at in deliveries:
        if timezone.is_naive(delivered_at):
            raise InvalidInput("delivered_at must carry a UTC offset.", field="delivered_at")
        if order.delivered_at is not None:
            continue
        order.delivered_at = delivered_at
        order.status = Order.Status.DELIVERED
        order.save(update_fields=["delivered_at", "status", "updated_at"])
        newly_delivered.append(order)
    for order in newly_delivered:
        order_delivered.send(sender=Order, order=order, event_at=order.delivered_at)
    return newly_delivered
