"""Record "signed for" events: mark orders delivered through orders_mark_delivered and log the events."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.models import ApiToken, InboundEvent, Order
from crm.services.ingestion.events import inbound_events_record
from crm.services.orders import orders_mark_delivered


@dataclass(slots=True)
class DeliveryInput:
    order: Order
    delivered_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    order: Order
    newly_delivered: bool


@transaction.atomic
def deliveries_record(*, deliveries: list[DeliveryInput], token: ApiToken | None) -> list[DeliveryResult]:
    """Mark each order delivered (once; a repeat changes nothing) and keep every distinct event as it came.

    The orders are locked first, in id order, so two concurrent posts of the same event cannot both see
    the order undelivered and plan its follow-up twice.
    """
    ids = [d.order.pk for d in deliveries]
    locked = {
        o.pk: o
        for o in Order.objects.select_for_update().filter(pk__in=ids).order_by("pk").select_related("store", "customer")
    }
    newly = orders_mark_delivered(deliveries=[(locked[d.order.pk], d.delivered_at) for d in deliveries])
    newly_ids = {o.pk for o in newly}
    inbound_events_record(
        kind=InboundEvent.Kind.DELIVERY,
        token=token,
        received_at=timezone.now(),
        events=[(d.order.store_id, d.order.external_id, d.payload) for d in deliveries],
    )
    return [DeliveryResult(order=locked[d.order.pk], newly_delivered=d.order.pk in newly_ids) for d in deliveries]
