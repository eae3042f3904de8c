"""Reading shipment rows (POST /api/v1/shipments, and the same fields inside an order) into ShipmentInputs."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from crm.api.auth import StoreScope
from crm.api.ingestion import reject_duplicates
from crm.api.order_rows import shipped_at_problem
from crm.api.rows import RowErrors, RowReader
from crm.selectors import orders_by_keys
from logistics.errors import TrackingNumberTaken
from logistics.selectors import shipments_by_keys
from logistics.services.shipments import ShipmentInput

# A promised date further out than this is a typing error.
MAX_PROMISE = timedelta(days=366)


def read_promised_date(reader: RowReader, name: str = "promised_delivery_date") -> date | None:
    return reader.date_ahead(
        name,
        earliest=date(2000, 1, 1),
        ahead=MAX_PROMISE,
        range_message="The date must be between 2000 and a year from today.",
    )


def read_shipments(
    errors: RowErrors, rows: Iterable[tuple[int, dict[str, Any]]], scope: StoreScope
) -> list[ShipmentInput]:
    """Valid rows as ShipmentInputs for orders of the token's stores; every problem recorded in `errors`."""
    read = []
    for index, row in rows:
        reader = RowReader(errors, index, row)
        store = reader.store(scope)
        order = reader.text("order", max_length=100)
        courier = reader.text("courier", max_length=100)
        number = reader.text("tracking_number", max_length=100)
        shipped_at = reader.aware_datetime("shipped_at")
        promised = read_promised_date(reader)
        if None not in (store, order, courier, number, shipped_at):
            read.append((index, store.id, order, courier, number, shipped_at, promised))
    reject_duplicates(errors, [(r[0], (r[1], r[3], r[4])) for r in read], field="tracking_number")
    orders = orders_by_keys(keys=[(r[1], r[2]) for r in read])
    taken = shipments_by_keys(keys=[(r[1], r[3], r[4]) for r in read])
    now = timezone.now()
    inputs = []
    for index, store_id, external_id, courier, number, shipped_at, promised in read:
        found = orders.get((store_id, external_id))
        shipment = taken.get((store_id, courier, number))
        if found is None:
            errors.add(index, "order", "not_found", "No such order in this store.")
        elif problem := shipped_at_problem(shipped_at, placed_at=found.placed_at, now=now):
            errors.add(index, "shipped_at", *problem)
        elif shipment is not None and shipment.order_id != found.pk:
            errors.add(index, "tracking_number", TrackingNumberTaken.code, str(TrackingNumberTaken.default_message))
        else:
            inputs.append(ShipmentInput(store_id, found.pk, courier, number, shipped_at, promised, external_id))
    return inputs
