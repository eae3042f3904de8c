"""Reading order and delivery rows of a batch into service inputs (the fast gate; see crm/api/rows.py)."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from crm.api.auth import StoreScope
from crm.api.ingestion import reject_duplicates
from crm.api.order_fields import order_fields
from crm.api.rows import CLOCK_SKEW, RowErrors, RowReader
from crm.api.serializers import MAX_ORDER_AMOUNT
from crm.models import Customer, Store
from crm.selectors import orders_by_keys
from crm.services.customers import FIRST_BIRTHDAY
from crm.services.ingestion.deliveries import DeliveryInput
from crm.services.ingestion.inputs import CustomerInput, OrderInput

# Above this an amount is a unit or typing error (cents sent as yuan, a phone number in the price field).
MAX_AMOUNT = Decimal(MAX_ORDER_AMOUNT)
MAX_ITEMS = 500
GENDERS = frozenset(Customer.Gender.values)
LANGUAGES = frozenset(Customer.Language.values)


def shipped_at_problem(shipped_at: datetime, *, placed_at: datetime, now: datetime) -> tuple[str, str] | None:
    """Why a shipping time cannot be, as (code, message), or None. One rule for a shipment row
    (POST /api/v1/shipments) and an order's own shipped_at, which reports the same parcel."""
    if shipped_at > now + CLOCK_SKEW:
        return "in_future", "The shipping time is in the future."
    if shipped_at < placed_at:
        return "before_placed", "The shipping time is before the order was placed."
    return None


def read_customer(reader: RowReader, store: Store | None) -> CustomerInput | None:
    external_id = reader.text("external_id", max_length=100)
    name = reader.text("name", max_length=200)
    phone = reader.phone("phone")
    gender = reader.choice("gender", GENDERS, default="")
    # The bounds the customer's page holds a changed birthday to (crm.services.customers).
    birthday = reader.past_date("birthday", store=store, what="The birthday", earliest=FIRST_BIRTHDAY)
    region = reader.text("region", max_length=100, required=False, allow_blank=True)
    # Absent or blank keeps the stored one (blank on a new customer: the store's language).
    language = reader.choice("language", LANGUAGES, default="", allow_blank=True)
    if store is None or None in (external_id, name, phone, gender, language):
        return None
    return CustomerInput(
        store_id=store.id,
        external_id=external_id,
        name=name,
        phone=phone,
        gender=gender or None,
        birthday=birthday,
        region=region,
        language=language,
    )


def read_item(reader: RowReader) -> dict[str, Any] | None:
    sku = reader.text("sku", max_length=100)
    name = reader.text("name", max_length=200)
    quantity = reader.integer("quantity", minimum=1, maximum=100_000)
    unit_price = reader.amount("unit_price", maximum=MAX_AMOUNT)
    category = reader.text("category", max_length=100, required=False, allow_blank=True)
    # `is None` one by one, not `None in (...)`: that compares every value with None through __eq__.
    if sku is None or name is None or quantity is None or unit_price is None:
        return None
    item = {"sku": sku, "name": name, "quantity": quantity, "unit_price": str(unit_price)}
    if category:  # the shelf it sits on: customer segments group purchases by it (retention)
        item["category"] = category
    return item


def read_order(errors: RowErrors, index: int, row: dict[str, Any], scope: StoreScope) -> OrderInput | None:
    """An OrderInput, or None with the reasons recorded in `errors`."""
    reader = RowReader(errors, index, row)
    store = reader.store(scope)
    external_id = reader.text("external_id", max_length=100)
    customer_reader = reader.nested("customer")
    customer = read_customer(customer_reader, store) if customer_reader else None
    total_amount = reader.amount("total_amount", maximum=MAX_AMOUNT)
    # Without a currency, an order is in its store's (ADR 0036); CNY only when the store is not known either.
    currency = reader.currency("currency", default=store.currency if store else "CNY")
    item_readers = reader.objects("items", max_items=MAX_ITEMS, allow_empty=False)
    items = [read_item(item) for item in item_readers] if item_readers is not None else None
    placed_at = reader.event_time("placed_at", what="The order time")
    shipped_at = reader.aware_datetime("shipped_at", required=False)
    courier = reader.text("courier", max_length=100, required=False, allow_blank=True)
    tracking_number = reader.text("tracking_number", max_length=100, required=False, allow_blank=True)
    extras = {field.name: value for field in order_fields() if (value := field.read(reader)) is not None}
    coupon_code = reader.text("coupon_code", max_length=40, required=False, allow_blank=True)
    shipping = shipped_at and placed_at and shipped_at_problem(shipped_at, placed_at=placed_at, now=timezone.now())
    if shipping:
        reader.error("shipped_at", *shipping)
        return None
    if (
        store is None
        or external_id is None
        or customer is None
        or total_amount is None
        or currency is None
        or items is None
        or placed_at is None
        or any(item is None for item in items)
    ):
        return None
    return OrderInput(
        store_id=store.id,
        external_id=external_id,
        customer=customer,
        total_amount=total_amount,
        currency=currency,
        items=items,
        placed_at=placed_at,
        shipped_at=shipped_at,
        courier=courier,
        tracking_number=tracking_number,
        coupon_code=coupon_code,
        payload=row,
        extras=extras,
    )


def read_orders(errors: RowErrors, rows: Iterable[tuple[int, dict[str, Any]]], scope: StoreScope) -> list[OrderInput]:
    """The batch's valid orders; bad rows and repeats of an (store, external_id) are recorded in `errors`."""
    read = [(index, read_order(errors, index, row, scope)) for index, row in rows]
    valid = [(index, order) for index, order in read if order is not None]
    reject_duplicates(errors, [(index, (o.store_id, o.external_id)) for index, o in valid], field="external_id")
    return [order for _index, order in valid]


def read_deliveries(
    errors: RowErrors, rows: Iterable[tuple[int, dict[str, Any]]], scope: StoreScope
) -> list[DeliveryInput]:
    """Delivery rows -> DeliveryInputs for orders of the token's stores; every problem recorded in `errors`."""
    read = []
    for index, row in rows:
        reader = RowReader(errors, index, row)
        store = reader.store(scope)
        external_id = reader.text("order", max_length=100)
        delivered_at = reader.aware_datetime("delivered_at")
        if store is not None and external_id is not None and delivered_at is not None:
            read.append((index, (store.id, external_id), delivered_at, row))
    reject_duplicates(errors, [(index, key) for index, key, _at, _row in read], field="order")
    orders = orders_by_keys(keys=[key for _index, key, _at, _row in read])
    latest = timezone.now() + CLOCK_SKEW
    deliveries = []
    for index, key, delivered_at, row in read:
        order = orders.get(key)
        if order is None:
            errors.add(index, "order", "not_found", "No such order in this store.")
        elif delivered_at > latest:
            errors.add(index, "delivered_at", "in_future", "The delivery time is in the future.")
        elif delivered_at < order.placed_at:
            errors.add(index, "delivered_at", "before_placed", "The delivery time is before the order was placed.")
        else:
            deliveries.append(DeliveryInput(order=order, delivered_at=delivered_at, payload=row))
    return deliveries
