"""The same upsert and logging rules through the ORM, row by row, for databases other than PostgreSQL.

The embedded default runs on SQLite, which has neither json_to_recordset nor the upsert forms the set-based
path uses. Correct and slow (a few hundred rows a second), which is what a one-machine demo needs.
tests/crm/api/test_portable.py checks that both paths leave the same rows and give the same answers.
"""

from datetime import datetime

from crm.models import Customer, InboundEvent, Order
from crm.services.ingestion.inputs import CustomerInput, OrderInput, Payload


def customers_upsert_row_by_row(*, customers: list[CustomerInput], now: datetime) -> dict[tuple[int, str], int]:
    unique = {(c.store_id, c.external_id): c for c in customers}
    ids = {}
    for (store_id, external_id), c in sorted(unique.items()):
        customer, created = Customer.objects.get_or_create(
            store_id=store_id,
            external_id=external_id,
            defaults={
                "name": c.name,
                "phone": c.phone,
                "gender": c.gender or Customer.Gender.UNKNOWN,
                "birthday": c.birthday,
                "region": c.region or "",
            },
        )
        if not created:
            wanted = {
                "name": c.name,
                "phone": c.phone,
                "gender": customer.gender if c.gender in (None, Customer.Gender.UNKNOWN) else c.gender,
                "birthday": c.birthday or customer.birthday,
                "region": c.region or customer.region,
            }
            if any(getattr(customer, name) != value for name, value in wanted.items()):
                Customer.objects.filter(pk=customer.pk).update(**wanted, updated_at=now)
        ids[(store_id, external_id)] = customer.pk
    return ids


def orders_upsert_row_by_row(
    *, orders: list[OrderInput], customer_ids: dict[tuple[int, str], int], now: datetime
) -> dict[tuple[int, str], tuple[int, bool]]:
    found = {}
    for o in orders:
        values = {
            "customer_id": customer_ids[(o.customer.store_id, o.customer.external_id)],
            "total_amount": o.total_amount,
            "currency": o.currency,
            "items": o.items,
            "placed_at": o.placed_at,
        }
        order, created = Order.objects.get_or_create(
            store_id=o.store_id,
            external_id=o.external_id,
            defaults={
                **values,
                "shipped_at": o.shipped_at,
                "courier": o.courier or "",
                "tracking_number": o.tracking_number or "",
                "coupon_code": o.coupon_code or "",
                "status": Order.Status.SHIPPED if o.shipped_at else Order.Status.PLACED,
            },
        )
        if not created:
            wanted = {
                **values,
                "shipped_at": o.shipped_at or order.shipped_at,
                "courier": o.courier or order.courier,
                "tracking_number": o.tracking_number or order.tracking_number,
                "coupon_code": o.coupon_code or order.coupon_code,
            }
            if any(getattr(order, name) != value for name, value in wanted.items()):
                shipped = order.status == Order.Status.PLACED and wanted["shipped_at"] is not None
                status = Order.Status.SHIPPED if shipped else order.status
                Order.objects.filter(pk=order.pk).update(**wanted, status=status, updated_at=now)
        found[(o.store_id, o.external_id)] = (order.pk, created)
    return found


def inbound_events_logged_keys(*, kind: str, payloads: list[Payload]) -> set[tuple[int, str, str]]:
    """The (store_id, external_id, payload_hash) keys among `payloads` that are logged already."""
    candidates = InboundEvent.objects.filter(
        kind=kind,
        store_id__in={p.store_id for p in payloads},
        external_id__in={p.external_id for p in payloads},
        payload_hash__in={p.hash for p in payloads},
    )
    return set(candidates.values_list("store_id", "external_id", "payload_hash"))


def inbound_events_insert(*, kind: str, token_id: int | None, received_at: datetime, payloads: list[Payload]) -> int:
    rows = [
        InboundEvent(
            kind=kind,
            store_id=p.store_id,
            external_id=p.external_id,
            token_id=token_id,
            received_at=received_at,
            payload=p.text,
            payload_hash=p.hash,
        )
        for p in payloads
    ]
    InboundEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
