"""What the ingestion services take and give: plain, already validated values (crm/api reads them)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple


@dataclass(slots=True)
class CustomerInput:
    store_id: int
    external_id: str
    name: str
    phone: str
    gender: str | None = None
    birthday: date | None = None
    region: str | None = None
    language: str = ""  # blank: keep the stored one


@dataclass(slots=True)
class OrderInput:
    store_id: int
    external_id: str
    customer: CustomerInput
    total_amount: Decimal
    currency: str
    items: list[dict[str, Any]]
    placed_at: datetime
    shipped_at: datetime | None = None
    courier: str | None = None
    tracking_number: str | None = None
    coupon_code: str | None = None
    payload: dict[str, Any] | None = None  # the row as the order system sent it, for the event log
    # Fields other apps read from the row (crm.api.order_fields), by name; they act on them from orders_upserted.
    extras: dict[str, Any] = field(default_factory=dict)


class OrderUpsertResult(NamedTuple):
    """Built for every row of every batch: a tuple, a tenth of a frozen dataclass's cost to make."""

    store_id: int
    external_id: str
    id: int
    created: bool
    changed: bool  # created, or a stored value changed; False for a row re-sent as it is stored


class Payload(NamedTuple):
    """One accepted row for the inbound log."""

    store_id: int
    external_id: str
    hash: str  # of the content, whatever the order of its keys
    content: dict[str, Any]  # the row as it came; logged as JSON only when new (a re-sent batch is all known)
