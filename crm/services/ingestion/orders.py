"""Upsert orders and their customers by (store, external_id), a whole batch in a few statements.

Writes happen only where something changed, so re-posting a batch leaves every row, its updated_at and the event
log as they were. Optional fields that are absent, null, empty or "unknown" keep their stored value: that rule is
the ``keep_known`` of the two upsert specs below, and crm.bulk applies it on every database.
"""

from django.db import transaction
from django.utils import timezone

from crm import bulk
from crm.models import ApiToken, Customer, InboundEvent, Order
from crm.services.ingestion.events import inbound_events_record
from crm.services.ingestion.inputs import CustomerInput, OrderInput, OrderUpsertResult
from crm.signals import orders_upserted

CUSTOMERS = bulk.Upsert(
    model=Customer,
    key=("store_id", "external_id"),
    replace=("name", "phone"),
    keep_known={"gender": Customer.Gender.UNKNOWN.value, "birthday": None, "region": ""},
)
ORDERS = bulk.Upsert(
    model=Order,
    key=("store_id", "external_id"),
    replace=("customer_id", "total_amount", "currency", "items", "placed_at"),
    keep_known={"shipped_at": None, "courier": "", "tracking_number": "", "coupon_code": ""},
    promote=bulk.Promote(
        field="status", initial=Order.Status.PLACED.value, promoted=Order.Status.SHIPPED.value, when_known="shipped_at"
    ),
)


def _customer_row(c: CustomerInput) -> dict:
    return {
        "store_id": c.store_id,
        "external_id": c.external_id,
        "name": c.name,
        "phone": c.phone,
        "gender": c.gender,
        "birthday": c.birthday,
        "region": c.region,
    }


@transaction.atomic
def orders_upsert(*, orders: list[OrderInput], token: ApiToken | None) -> list[OrderUpsertResult]:
    """Create or update orders and their customers; results come back in the order of `orders`.

    Keys must be unique within the batch (the API rejects duplicates before calling this). One customer may
    place several orders of a batch: the last row's data wins.
    """
    now = timezone.now()
    # The log first: it locks nothing another batch waits for, while the customer rows upserted next stay locked
    # until commit, and a concurrent batch naming one of those customers waits that long (ADR 0019).
    inbound_events_record(
        kind=InboundEvent.Kind.ORDER,
        token=token,
        received_at=now,
        events=[(o.store_id, o.external_id, o.payload) for o in orders],
    )
    customers = {(o.customer.store_id, o.customer.external_id): o.customer for o in orders}
    customer_ids = bulk.upsert(CUSTOMERS, [_customer_row(c) for c in customers.values()], now=now)
    rows = [
        {
            "store_id": o.store_id,
            "external_id": o.external_id,
            "customer_id": customer_ids[(o.customer.store_id, o.customer.external_id)].id,
            "total_amount": o.total_amount,
            "currency": o.currency,
            "items": o.items,
            "placed_at": o.placed_at,
            "shipped_at": o.shipped_at,
            "courier": o.courier,
            "tracking_number": o.tracking_number,
            "coupon_code": o.coupon_code,
        }
        for o in orders
    ]
    found = bulk.upsert(ORDERS, rows, now=now)
    results = [OrderUpsertResult(o.store_id, o.external_id, *found[(o.store_id, o.external_id)]) for o in orders]
    orders_upserted.send(sender=OrderInput, orders=list(zip(orders, results, strict=True)))
    return results
