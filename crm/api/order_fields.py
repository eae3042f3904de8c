"""Extra fields of an order row (POST /api/v1/orders) that other apps read, without crm importing them.

An app registers a field from its AppConfig.ready(): how to read (and validate) it from a row into
`OrderInput.extras`, and the DRF field that documents it in the OpenAPI schema. The app then acts on it from
crm.signals.orders_upserted, inside the upsert's transaction. logistics reads `promised_delivery_date` this way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from crm.api.rows import RowReader


@dataclass(frozen=True)
class OrderField:
    name: str
    # Reads the field from the row, recording any error on the reader; None when absent.
    read: Callable[[RowReader], Any]
    # A new field per serializer: DRF binds a field instance to the one serializer that holds it.
    schema: Callable[[], serializers.Field]


_fields: dict[str, OrderField] = {}


def order_field_register(order_field: OrderField) -> None:
    """Add (or, on a second ready(), replace) an extra field of order rows."""
    _fields[order_field.name] = order_field


def order_fields() -> list[OrderField]:
    return list(_fields.values())
