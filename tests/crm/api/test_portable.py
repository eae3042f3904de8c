"""The row-by-row path (used on SQLite, the embedded default) keeps the same rules as the set-based one.

The suite runs on PostgreSQL, so the portable functions are called directly here, on a second store, and
the rows they leave are compared with what the set-based path leaves for the same batches.
"""

import json

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from crm.api.auth import StoreScope
from crm.api.order_rows import read_order
from crm.api.rows import RowErrors
from crm.models import InboundEvent, Order
from crm.services.ingestion import portable
from crm.services.ingestion.events import payload_hash
from crm.services.ingestion.inputs import Payload
from crm.services.ingestion.orders import orders_upsert
from tests.crm.api.helpers import order_payload
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

BATCHES = [
    [order_payload(1), order_payload(2, customer={**order_payload(1)["customer"], "gender": "female"})],
    [order_payload(1, courier="SF", shipped_at="2026-11-21T08:00:00+08:00"), order_payload(3)],
    [order_payload(1, courier="", total_amount="10.50"), order_payload(2)],
    [order_payload(1, courier="", total_amount="10.50"), order_payload(2)],
]


def _read(batch, store):
    errors = RowErrors()
    orders = [read_order(errors, i, row, StoreScope({store.code: store})) for i, row in enumerate(batch)]
    assert not errors
    return orders


def _portable_upsert(orders):
    now = timezone.now()
    ids = portable.customers_upsert_row_by_row(customers=[o.customer for o in orders], now=now)
    found = portable.orders_upsert_row_by_row(orders=orders, customer_ids=ids, now=now)
    payloads = [Payload(o.store_id, o.external_id, payload_hash(o.payload), json.dumps(o.payload)) for o in orders]
    logged = portable.inbound_events_logged_keys(kind="order", payloads=payloads)
    new = [p for p in payloads if (p.store_id, p.external_id, p.hash) not in logged]
    portable.inbound_events_insert(kind="order", token_id=None, received_at=now, payloads=new)
    return [found[(o.store_id, o.external_id)][1] for o in orders]


def _state(store):
    skip = {"id", "store", "customer", "created_at", "updated_at"}
    orders = {
        o.external_id: (
            {k: v for k, v in model_to_dict(o).items() if k not in skip},
            {k: v for k, v in model_to_dict(o.customer).items() if k not in {"id", "store"}},
        )
        for o in Order.objects.filter(store=store).select_related("customer")
    }
    events = sorted(InboundEvent.objects.filter(store=store).values_list("external_id", "payload_hash"))
    return orders, events


def test_both_paths_leave_the_same_rows_and_answer_the_same():
    set_based, row_by_row = StoreFactory(code="set-based"), StoreFactory(code="row-by-row")

    for batch in BATCHES:
        created_a = [r.created for r in orders_upsert(orders=_read(batch, set_based), token=None)]
        created_b = _portable_upsert(_read(batch, row_by_row))
        assert created_a == created_b

    assert _state(set_based) == _state(row_by_row)
    assert Order.objects.get(store=set_based, external_id="TB00000001").courier == "SF"
