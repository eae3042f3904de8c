"""Extra sections of an order's detail (GET /api/v1/orders/{external_id}) that other apps contribute.

crm imports neither callbacks nor reviews, yet an order system asking about an order should hear what they
know about it. An app registers a section from its AppConfig.ready(): the field name, a factory for the DRF
field that renders it (which also describes it in the OpenAPI schema) and the prefetch that loads it, so the
detail costs one query per section however many rows a section holds.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from rest_framework import serializers


@dataclass(frozen=True)
class OrderSection:
    name: str
    # A new field per serializer: DRF binds a field instance to the one serializer that holds it.
    field: Callable[[], serializers.Field]
    prefetch: Prefetch


_sections: dict[str, OrderSection] = {}


def order_section_register(section: OrderSection) -> None:
    """Add (or, on a second ready(), replace) a section of the order detail."""
    _sections[section.name] = section


def order_sections() -> list[OrderSection]:
    return list(_sections.values())
