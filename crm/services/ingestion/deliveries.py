"""Record "signed for" events: mark orders delivered through orders_deliver and log the events."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.models import ApiToken, InboundEvent, Order
from crm.services.ingestion.events import inbound_events_record
from crm.services.order_delivery import OrderWarning, orders_deliver


@dataclass(slots=True)
class DeliveryInput:
    order: Order
    delivered_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    order: Order
    newly_delivered: bool
    warnings: tuple[OrderWarning, ...] = ()


@transaction.atomic
def deliveries_record(*, deliveries: list[DeliveryInput], token: ApiToken | None) -> list[DeliveryResult]:
    """Mark each order delivered (once; a repeat changes nothing) and keep every distinct event as it came.

    orders_deliver locks the orders and plans every first delivery in one pass. An order another
    request delivered since the batch was read is answered with the time that request stored.
    """
    delivered = orders_deliver(deliveries=[(d.order, d.delivered_at) for d in deliveries])
    newly = {o.pk: o for o in delivered.orders}
    known = {d.order.pk: d.order for d in deliveries}
    stale = [pk for pk, order in known.items() if pk not in newly and order.delivered_at is None]
    for pk, delivered_at in Order.objects.filter(pk__in=stale).values_list("pk", "delivered_at"):
        known[pk].delivered_at = delivered_at
    inbound_events_record(
        kind=InboundEvent.Kind.DELIVERY,
        token=token,
        received_at=timezone.now(),
        events=[(d.order.store_id, d.order.external_id, d.payload) for d in deliveries],
    )
    return [
        DeliveryResult(
            order=newly.get(d.order.pk, d.order),
            newly_delivered=d.order.pk in newly,
            warnings=tuple(delivered.warnings.get(d.order.pk, ())),
        )
        for d in deliveries
    ]
