"""POST /api/v1/shipments, and the same fields inside an order upsert."""

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import ApiToken, InboundEvent, Order
from logistics import tasks
from logistics.models import Shipment
from logistics.services.shipments import SUBSCRIBE_CHUNK, ShipmentInput, shipments_record
from logistics.tracking.memory import InMemoryBackend as TrackingMemory
from tests.factories import CustomerFactory, OrderFactory
from tests.query_plans import scans_of

URL = "/api/v1/shipments"
pytestmark = pytest.mark.django_db


def _row(order_, **fields):
    return {
        "order": order_.external_id,
        "courier": "shunfeng",
        "tracking_number": f"SF{order_.pk:08d}",
        "shipped_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        **fields,
    }


@pytest.fixture
def order(store):
    return OrderFactory(customer=CustomerFactory(store=store), placed_at=timezone.now() - timedelta(days=1))


def test_a_shipment_is_recorded_once_and_a_repeat_changes_nothing(api, order):
    body = _row(order, promised_delivery_date=str(timezone.localdate() + timedelta(days=3)))
    first = api.post(URL, body)
    assert first.status_code == 200, first.content
    [result] = first.json()["results"]
    assert result["result"] == "created" and result["state"] == "pending" and result["order"] == order.external_id
    shipment = Shipment.objects.get()
    assert shipment.promised_by is not None and shipment.order == order
    again = api.post(URL, [body])
    assert again.json()["results"][0]["result"] == "unchanged"
    assert Shipment.objects.count() == 1
    assert Shipment.objects.get().updated_at == shipment.updated_at


def test_idempotency_key_replays_the_first_answer(api, order):
    body = _row(order)
    first = api.post(URL, body, **{"Idempotency-Key": "ship-1"})
    second = api.post(URL, body, **{"Idempotency-Key": "ship-1"})
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()


def test_a_bad_batch_names_each_row_and_writes_nothing(api, order):
    rows = [
        _row(order),
        _row(order, order="nope", tracking_number="X1"),
        _row(order, tracking_number="X2", shipped_at="2026-01-01T00:00:00"),
        _row(order, tracking_number="X3", promised_delivery_date="soon"),
        _row(order, tracking_number="X4", shipped_at=(timezone.now() + timedelta(days=2)).isoformat()),
        _row(order, tracking_number="X5", promised_delivery_date=str(timezone.localdate() + timedelta(days=400))),
        _row(order, tracking_number="X6", promised_delivery_date=str(timezone.localdate() + timedelta(days=360))),
    ]
    response = api.post(URL, rows)
    assert response.status_code == 400
    errors = {(e["index"], e["field"], e["code"]) for e in response.json()["errors"]}
    assert errors == {
        (1, "order", "not_found"),
        (2, "shipped_at", "naive_datetime"),
        (3, "promised_delivery_date", "invalid_date"),
        (4, "shipped_at", "in_future"),
        (5, "promised_delivery_date", "out_of_range"),  # more than a year ahead; row 6 is within it
    }
    assert not Shipment.objects.exists()


def test_a_number_of_another_order_is_refused(api, order, store):
    api.post(URL, _row(order))
    other = OrderFactory(customer=CustomerFactory(store=store), placed_at=order.placed_at)
    response = api.post(URL, _row(other, tracking_number=f"SF{order.pk:08d}"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "taken"


def test_another_stores_order_is_not_found(other_api, order):
    response = other_api.post(URL, _row(order))
    assert response.status_code == 404  # as for any other batch whose every row names an unknown object
    assert response.json()["errors"][0]["code"] == "not_found"
    assert not Shipment.objects.exists()


def test_no_token_is_401(anonymous, order):
    assert anonymous.post(URL, _row(order)).status_code == 401


def _shipped_order(n: int, placed: datetime, **fields) -> dict:
    """An order row as an order system posts it once shipped: courier, tracking number and shipping time."""
    return {
        "external_id": f"T-{n}",
        "customer": {"external_id": f"c-{n}", "name": "王芳", "phone": "+8613800138000"},
        "total_amount": "1200.00",
        "items": [{"sku": "S1", "name": "真丝围巾", "quantity": 1, "unit_price": "1200.00"}],
        "placed_at": placed.isoformat(),
        "shipped_at": (placed + timedelta(hours=3)).isoformat(),
        "courier": "yuantong",
        "tracking_number": f"YT000{n}",
        **fields,
    }


def test_an_order_upsert_with_a_tracking_number_reports_the_shipment(api, store):
    placed = timezone.now() - timedelta(days=1)
    order = _shipped_order(1, placed, promised_delivery_date=str(timezone.localdate() + timedelta(days=2)))
    response = api.post("/api/v1/orders", order)
    assert response.status_code == 200, response.content
    shipment = Shipment.objects.get()
    assert (shipment.courier, shipment.tracking_number, shipment.order.external_id) == ("yuantong", "YT0001", "T-1")
    assert shipment.promised_date == timezone.localdate() + timedelta(days=2)
    api.post("/api/v1/orders", order)
    assert Shipment.objects.count() == 1
    bad = api.post("/api/v1/orders", {**order, "promised_delivery_date": "2026-13-40"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "promised_delivery_date"


def test_an_order_with_the_number_of_another_orders_parcel_is_refused_as_by_the_shipments_api(api, store):
    # It was accepted, and rewrote the other order's parcel: its shipping time and promised date.
    placed = timezone.now() - timedelta(days=2)
    first = _shipped_order(1, placed, promised_delivery_date=str(timezone.localdate() + timedelta(days=2)))
    assert api.post("/api/v1/orders", first).status_code == 200
    before = Shipment.objects.values().get()
    later = placed + timedelta(hours=20)
    second = _shipped_order(2, placed, tracking_number="YT0001", shipped_at=later.isoformat())
    third = _shipped_order(3, placed, tracking_number="YT0009")
    fourth = _shipped_order(4, placed, tracking_number="YT0009")  # the parcel the row before reports

    response = api.post("/api/v1/orders", [_shipped_order(5, placed), second, third, fourth])

    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "tracking_number", "taken"),
        (3, "tracking_number", "taken"),
    ]
    assert list(Shipment.objects.values()) == [before]
    assert not Order.objects.exclude(external_id="T-1").exists()


def test_an_order_batch_plans_its_new_parcels_notices_with_the_customers_it_brings(api, store):
    """The parcels are stored before the batch's customers (their rows lock, ADR 0019), the notices after: a new
    customer's notice is planned and a returning one's greets them by the name this batch brings."""
    from logistics.models import LogisticsPolicy, ShipmentNotice

    LogisticsPolicy.objects.create(store=store, shipping_notice=True)
    placed = timezone.now() - timedelta(days=1)
    returning = _shipped_order(5, placed)
    assert api.post("/api/v1/orders", returning).status_code == 200
    batch = [
        _shipped_order(6, placed, customer={"external_id": "c-new", "name": "赵敏", "phone": "+8613800138006"}),
        _shipped_order(7, placed, customer={**returning["customer"], "name": "王芳芳"}),
    ]
    assert api.post("/api/v1/orders", batch).status_code == 200
    notices = {n.order.external_id: n for n in ShipmentNotice.objects.select_related("order__customer")}
    assert notices.keys() == {"T-5", "T-6", "T-7"}
    assert notices["T-6"].customer_id == notices["T-6"].order.customer_id and "赵敏" in notices["T-6"].message_body
    assert "王芳芳" in notices["T-7"].message_body and notices["T-7"].status == ShipmentNotice.Status.PLANNED


def test_an_order_resent_as_stored_reports_nothing_new_about_its_parcel(api, store):
    """Its parcel was recorded when the order's shipping fields were stored. So a stale repeat leaves a shipping time
    the shipments API has since corrected; a changed order or a promised date (not kept on the order) still count."""
    placed = timezone.now() - timedelta(days=2)
    order = _shipped_order(3, placed)
    assert api.post("/api/v1/orders", order).status_code == 200
    corrected = placed + timedelta(hours=5)
    row = {"store": store.code, "order": "T-3", "courier": "yuantong", "tracking_number": "YT0003"}
    assert api.post(URL, {**row, "shipped_at": corrected.isoformat()}).status_code == 200
    assert api.post("/api/v1/orders", order).status_code == 200  # as stored: the correction stands
    assert Shipment.objects.get().shipped_at == corrected
    promised = timezone.localdate() + timedelta(days=3)
    assert api.post("/api/v1/orders", {**order, "promised_delivery_date": str(promised)}).status_code == 200
    assert Shipment.objects.get().promised_date == promised
    moved = placed + timedelta(hours=4)
    assert api.post("/api/v1/orders", {**order, "shipped_at": moved.isoformat()}).status_code == 200
    assert Shipment.objects.get().shipped_at == moved


def test_an_order_without_tracking_reports_no_shipment(api, store):
    order = {
        "external_id": "T-2",
        "customer": {"external_id": "c-2", "name": "李雷", "phone": "+8613800138001"},
        "total_amount": "100.00",
        "items": [{"sku": "S1", "name": "茶", "quantity": 1, "unit_price": "100.00"}],
        "placed_at": timezone.now().isoformat(),
    }
    assert api.post("/api/v1/orders", order).status_code == 200
    assert not Shipment.objects.exists()


def test_new_shipments_are_queued_for_subscription_in_chunks_once_committed(
    store, monkeypatch, django_capture_on_commit_callbacks
):
    """One broker message per chunk, not per parcel (bench/ingest.py: a message each cost more than the batch)."""
    queued = []
    monkeypatch.setattr(tasks.subscribe_many, "apply_async", lambda args, **_options: queued.append(*args))
    orders = [OrderFactory(store=store) for _ in range(SUBSCRIBE_CHUNK * 2 + 5)]
    sent = timezone.now()
    inputs = [ShipmentInput(store.pk, o.pk, "shunfeng", f"SF{o.pk:010d}", sent, None, o.external_id) for o in orders]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        shipments_record(shipments=inputs)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [len(chunk) for chunk in queued] == [SUBSCRIBE_CHUNK, SUBSCRIBE_CHUNK, 5]
    assert sorted(pk for chunk in queued for pk in chunk) == sorted(Shipment.objects.values_list("pk", flat=True))

    assert tasks.subscribe_many(queued[2]) == 5  # the task: each of its shipments subscribed
    assert sorted(s.number for s in TrackingMemory.subscriptions) == sorted(
        Shipment.objects.filter(pk__in=queued[2]).values_list("tracking_number", flat=True)
    )
    assert Shipment.objects.filter(pk__in=queued[2], subscribed_at__isnull=False, resubscribe_after=None).count() == 5


def test_an_order_batch_finds_its_stored_parcels_through_the_unique_index(store):
    """60,000 parcels, statistics taken: a batch of 1,000 numbers (half of them stored) is one probe of the
    (number, courier, store) unique index a number, not a read of the store's parcels (ADR 0019, ADR 0021)."""
    order = OrderFactory(store=store)
    sent = timezone.now()
    shipments_record(shipments=[ShipmentInput(store.pk, order.pk, "shunfeng", "T0", sent)])
    columns = [f.column for f in Shipment._meta.concrete_fields if f.column not in {"id", "tracking_number"}]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO logistics_shipment (tracking_number, {', '.join(columns)}) "  # noqa: S608
            f"SELECT 'T' || n, {', '.join(columns)} FROM logistics_shipment, generate_series(1, 60000) AS n "
            "WHERE tracking_number = 'T0'"
        )
        cursor.execute("ANALYZE logistics_shipment")
        # PostgreSQL's default costs, whatever the server was tuned to: the plan is the planner's choice at those.
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")
    batch = [ShipmentInput(store.pk, order.pk, "shunfeng", f"T{n}", sent) for n in range(59_501, 60_501)]
    with CaptureQueriesContext(connection) as queries:
        results = shipments_record(shipments=batch)
    assert [r.result for r in results] == ["unchanged"] * 500 + ["created"] * 500
    [lookup] = [q["sql"] for q in queries if 'FOR UPDATE OF "logistics_shipment"' in q["sql"]]
    assert scans_of(lookup, "logistics_shipment") == {("Index Scan", "shipment_unique_number")}


@pytest.mark.parametrize("likely_new", [True, False])
def test_a_batch_answers_alike_whichever_statement_comes_first(store, likely_new):
    """Numbers reported with a new order are inserted first and read only when stored; others are read first.
    Either way a stored number keeps its row, a new one is created once, and a repeat in the batch is applied
    after the first report."""
    orders = [OrderFactory(store=store) for _ in range(3)]
    sent = timezone.now()
    [stored] = shipments_record(shipments=[ShipmentInput(store.pk, orders[0].pk, "shunfeng", "S1", sent)])
    later = sent + timedelta(hours=1)
    batch = [
        ShipmentInput(store.pk, orders[0].pk, "shunfeng", "S1", sent, likely_new=likely_new),
        ShipmentInput(store.pk, orders[1].pk, "shunfeng", "N1", sent, likely_new=likely_new),
        ShipmentInput(store.pk, orders[1].pk, "shunfeng", "N1", later, likely_new=likely_new),
        ShipmentInput(store.pk, orders[0].pk, "shunfeng", "S1", later, likely_new=likely_new),
        ShipmentInput(store.pk, orders[2].pk, "shunfeng", "N2", sent, likely_new=not likely_new),
    ]
    results = shipments_record(shipments=batch)
    assert [r.result for r in results] == ["unchanged", "created", "updated", "updated", "created"]
    rows = {s.tracking_number: s for s in Shipment.objects.filter(store=store)}
    assert sorted(rows) == ["N1", "N2", "S1"]
    assert [r.id for r in results] == [rows[n].pk for n in ("S1", "N1", "N1", "S1", "N2")]
    assert rows["S1"].pk == stored.id and rows["S1"].shipped_at == later and rows["N1"].shipped_at == later
    assert shipments_record(shipments=batch[:2])[1].result == "updated"  # N1 is stored now: shipped_at moves back


def test_each_reported_shipment_is_kept_in_the_inbound_log_once(api, order):
    """As every accepted row of every write endpoint: under the order's external id, as sent, by the token."""
    body = _row(order, note="kept as sent")
    assert api.post(URL, body).status_code == 200
    assert api.post(URL, [body]).status_code == 200  # a repeat is not logged again
    [event] = InboundEvent.objects.filter(kind=InboundEvent.Kind.SHIPMENT)
    token = ApiToken.objects.get()
    assert (event.store_id, event.external_id, event.token_id) == (order.store_id, order.external_id, token.pk)
    assert json.loads(event.payload) == body
    assert api.post(URL, {**body, "shipped_at": (timezone.now() - timedelta(hours=1)).isoformat()}).status_code == 200
    assert InboundEvent.objects.filter(kind=InboundEvent.Kind.SHIPMENT).count() == 2  # a changed report is new


def test_a_refused_batch_logs_nothing(api, order):
    assert api.post(URL, [_row(order), _row(order, order="NO-SUCH-ORDER")]).status_code == 400
    assert not InboundEvent.objects.exists()
