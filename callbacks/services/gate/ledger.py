"""The contact ledger (`ContactLog`): every contact made, written in the transaction that claims or makes it, so the
caps count every contact, whoever made it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from callbacks.models import ContactLog
from crm.models import Customer, Order

from ..rows import contacts_insert
from .purposes import validate


@dataclass(frozen=True, slots=True)
class ContactRow:
    customer_id: int
    store_id: int
    channel: str
    purpose: str
    order_id: int | None = None
    at: datetime | None = None
    source: str = ""


def contacts_record(*, rows: Iterable[ContactRow]) -> None:
    """Write contacts to the ledger in one statement. Call it in the transaction that claims or makes them."""
    now = timezone.now()
    contacts_insert(
        [
            (row.store_id, row.customer_id, row.order_id, row.channel, row.purpose, row.at or now, row.source)
            for row in rows
        ]
    )


def contacts_forget(
    *, at: datetime, source: str, order_ids: Iterable[int] = (), customer_ids: Iterable[int] = ()
) -> None:
    """Take back ledger rows of a claim given back unsent (dispatch.sending's `_unclaim`): they were never contacts.
    Rows are named by their orders or, for contacts about no order (campaigns), by their customers."""
    named = Q(order_id__in=list(order_ids)) | Q(customer_id__in=list(customer_ids), order_id__isnull=True)
    ContactLog.objects.filter(named, at=at, source=source).delete()


def contact_record(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    order: Order | None = None,
    at: datetime | None = None,
    source: str = "",
) -> None:
    validate(channel, purpose)
    row = ContactRow(
        customer_id=customer.pk,
        store_id=customer.store_id,
        channel=channel,
        purpose=purpose,
        order_id=order.pk if order is not None else None,
        at=at,
        source=source,
    )
    contacts_record(rows=[row])
