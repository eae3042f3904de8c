"""Upsert orders and their customers by (store, external_id), a whole batch in a few statements.

Writes happen only where something changed, so re-posting a batch leaves every row, its updated_at and the event
log as they were. Optional fields that are absent, null, empty or "unknown" keep their stored value: that rule is
the ``keep_known`` of the two upsert specs below, and crm.bulk applies it on every database.
"""

from django.db import transaction
from django.utils import timezone

from crm import bulk
from crm.models import ApiToken, Customer, CustomerChange, InboundEvent, Order
from crm.services.ingestion.events import inbound_events_record
from crm.services.ingestion.inputs import CustomerInput, OrderInput, OrderUpsertResult
from crm.signals import orders_upserted

CUSTOMERS = bulk.Upsert(
    model=Customer,
    key=("store_id", "external_id"),
    replace=("name", "phone"),
    keep_known={"gender": Customer.Gender.UNKNOWN.value, "birthday": None, "region": "", "language": ""},
    # A new phone, name or message language from the order system goes into the customer's change history, as an
    # agent's edit does: a reply from the former number (ADR 0049), the panel's number and the language the store's
    # texts are written in then make sense to the agent.
    tracked=("name", "phone", "language"),
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
        "language": c.language,
    }


def _customers_write(
    reservation: bulk.Reservation,
    given: dict[tuple, dict],
    orders: dict[tuple, bulk.UpsertResult],
    rows: list[dict],
    *,
    now,
) -> None:
    """Upsert the batch's customers that are new or changed, under the ids reserved for them (a re-sent batch writes
    none). Where a concurrent batch stored a new customer first, the orders that point to the reserved id are moved
    to the stored one before commit checks them (such an order was written twice and answers changed, which a
    repeat of the whole batch would not). A new name or phone of a stored customer goes into their history."""
    stored = bulk.upsert(CUSTOMERS, reservation.pending, now=now)
    _history_record(reservation, given, stored, now=now)
    moved = {reservation.ids[key]: result.id for key, result in stored.items() if result.id != reservation.ids[key]}
    if moved:
        bulk.update_rows(
            Order,
            [
                (orders[(row["store_id"], row["external_id"])].id, moved[row["customer_id"]])
                for row in rows
                if row["customer_id"] in moved
            ],
            fields=["customer_id"],
        )


def _history_record(
    reservation: bulk.Reservation, given: dict[tuple, dict], stored: dict[tuple, bulk.UpsertResult], *, now
) -> None:
    """One history row per tracked field the batch changed on a stored customer, by the system (no user). A row a
    concurrent batch had already changed to the same values is not written by this one (`changed` is False), so a
    change is recorded once; a field the batch leaves as stored (a blank language: `keep_known`) is no change. (On
    SQLite the reservation wrote the rows itself: nothing is in `stored`.)"""
    CustomerChange.objects.bulk_create(
        CustomerChange(
            customer_id=reservation.ids[key], field=field, old_value=old, new_value=given[key][field], changed_at=now
        )
        for key, before in reservation.before.items()
        if key not in stored or stored[key].changed
        for field, old in before.items()
        if given[key][field] != old and not _kept(field, given[key][field])
    )


def _kept(field: str, value) -> bool:
    """Whether the batch's `value` keeps the stored one (CUSTOMERS.keep_known: absent, blank, unknown)."""
    return field in CUSTOMERS.keep_known and value in (None, CUSTOMERS.keep_known[field])


@transaction.atomic
def orders_upsert(*, orders: list[OrderInput], token: ApiToken | None) -> list[OrderUpsertResult]:
    """Create or update orders and their customers; results come back in the order of `orders`.

    Keys must be unique within the batch (the API rejects duplicates before calling this). One customer may
    place several orders of a batch: the last row's data wins.
    """
    now = timezone.now()
    # Customer rows, once upserted, stay locked until commit, and a concurrent batch naming one of them waits that
    # long. So they are written last: the log, the orders and what the orders_upserted receivers store (parcels) go
    # first, the orders pointing to ids reserved for their customers (ADR 0019).
    inbound_events_record(
        kind=InboundEvent.Kind.ORDER,
        token=token,
        received_at=now,
        events=[(o.store_id, o.external_id, o.payload) for o in orders],
    )
    customer_rows = {(c.store_id, c.external_id): _customer_row(c) for c in (o.customer for o in orders)}
    reservation = bulk.reserve(CUSTOMERS, list(customer_rows.values()), now=now)
    customer_ids = reservation.ids
    rows = [
        {
            "store_id": o.store_id,
            "external_id": o.external_id,
            "customer_id": customer_ids[(o.customer.store_id, o.customer.external_id)],
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
    responses = orders_upserted.send(sender=OrderInput, orders=list(zip(orders, results, strict=True)))
    _customers_write(reservation, customer_rows, found, rows, now=now)
    for _receiver, then in responses:  # what the receivers left for once the customers are stored
        if then is not None:
            then()
    return results
