from datetime import UTC, datetime

import pytest

from crm.models import InboundEvent, Order
from crm.signals import orders_delivered
from tests.crm.api.helpers import order_payload, orders_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/deliveries"


@pytest.fixture
def delivered_signals():
    received = []

    def receiver(sender, deliveries, **kwargs):
        assert deliveries, "the signal is never sent empty"
        received.extend((order.external_id, event_at) for order, event_at in deliveries)
        kwarg_names.add(frozenset(kwargs))

    kwarg_names = set()

    orders_delivered.connect(receiver)
    yield received
    orders_delivered.disconnect(receiver)
    # Exactly the kwargs crm/signals.py documents (Django adds `signal`).
    assert kwarg_names <= {frozenset({"signal"})}


def test_a_delivery_marks_the_order_and_sends_the_signal_once(api, delivered_signals):
    api.post("/api/v1/orders", order_payload(1))
    event = {"order": "TB00000001", "delivered_at": "2026-11-21T18:05:00+08:00"}

    first = api.post(URL, event)
    second = api.post(URL, event)

    moment = datetime(2026, 11, 21, 10, 5, tzinfo=UTC)
    assert first.json()["results"][0]["result"] == "delivered"
    assert second.json()["results"][0]["result"] == "already_delivered"
    assert first.json()["results"][0]["delivered_at"] == "2026-11-21T10:05:00Z"
    order = Order.objects.get()
    assert (order.status, order.delivered_at) == (Order.Status.DELIVERED, moment)
    assert delivered_signals == [("TB00000001", moment)]
    assert InboundEvent.objects.filter(kind="delivery").count() == 1


def test_a_batch_of_deliveries_signals_each_new_delivery(api, delivered_signals):
    api.post("/api/v1/orders", orders_payload(3))
    api.post(URL, {"order": "TB00000002", "delivered_at": "2026-11-21T10:00:00Z"})

    response = api.post(URL, [{"order": f"TB0000000{n}", "delivered_at": "2026-11-22T10:00:00Z"} for n in (1, 2, 3)])

    assert [r["result"] for r in response.json()["results"]] == ["delivered", "already_delivered", "delivered"]
    assert [external_id for external_id, _at in delivered_signals] == ["TB00000002", "TB00000001", "TB00000003"]


def test_a_delivery_batch_with_a_bad_row_delivers_nothing(api, delivered_signals):
    api.post("/api/v1/orders", orders_payload(2))

    response = api.post(
        URL,
        [
            {"order": "TB00000001", "delivered_at": "2026-11-21T10:00:00Z"},
            {"order": "TB00000002", "delivered_at": "2026-11-21T10:00:00"},
            {"order": "TB00000001", "delivered_at": "2026-11-21T10:00:00Z"},
            {"order": "TB00000002", "delivered_at": "2026-11-01T10:00:00Z"},
            {"order": "nope", "delivered_at": "2026-11-21T10:00:00Z"},
        ],
    )

    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "delivered_at", "naive_datetime"),
        (2, "order", "duplicate"),
        (3, "delivered_at", "before_placed"),
        (4, "order", "not_found"),
    ]
    assert not Order.objects.filter(delivered_at__isnull=False).exists()
    assert delivered_signals == []


def test_a_delivery_in_the_future_is_refused(api):
    api.post("/api/v1/orders", order_payload(1))

    response = api.post(URL, {"order": "TB00000001", "delivered_at": "2099-01-01T00:00:00Z"})

    assert response.json()["errors"][0]["code"] == "in_future"


def test_an_order_delivered_by_another_request_meanwhile_is_answered_with_the_stored_time(api, delivered_signals):
    from crm.services.ingestion.deliveries import DeliveryInput, deliveries_record
    from crm.services.order_delivery import orders_mark_delivered

    api.post("/api/v1/orders", order_payload(1))
    read_before = Order.objects.get()  # what a batch read before the other request committed
    first = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    orders_mark_delivered(deliveries=[(Order.objects.get(), first)])

    later = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)
    [result] = deliveries_record(deliveries=[DeliveryInput(read_before, later, {"order": "TB00000001"})], token=None)

    assert not result.newly_delivered and result.order.delivered_at == first
    assert Order.objects.get().delivered_at == first
    assert delivered_signals == [("TB00000001", first)]
