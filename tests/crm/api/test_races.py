"""The same batch posted by several clients at the same instant: every one is answered as a repeat would be.

Real concurrent requests against PostgreSQL through the live server: a barrier releases the clients together,
so their transactions overlap on the same new (store, external_id) keys. Exactly one client creates each
object; the others get the answer a repeat of the request gets, never a 500 from a unique constraint.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.utils import timezone

from crm.models import Customer, Order
from crm.services.api_tokens import api_token_create
from reviews.models import Review
from tests.factories import StoreFactory

from .helpers import order_payload

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 6
ROWS = 30


@pytest.fixture
def post_together(live_server):
    store = StoreFactory(code="silk-tmall")
    _token, key = api_token_create(store_codes=[store.code], name="twin connectors")

    def post(path: str, body) -> list[requests.Response]:
        barrier = threading.Barrier(CLIENTS)

        def client(_n: int) -> requests.Response:
            with requests.Session() as session:
                session.headers["Authorization"] = f"Token {key}"
                session.get(f"{live_server.url}/api/v1/orders?limit=1", timeout=30)  # connection and token warm
                barrier.wait()
                return session.post(f"{live_server.url}{path}", json=body, timeout=60)

        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(client, range(CLIENTS)))

    return post


def _results(responses: list[requests.Response]) -> Counter:
    assert [r.status_code for r in responses] == [200] * CLIENTS, [r.text[:300] for r in responses]
    return Counter(row["result"] for r in responses for row in r.json()["results"])


def _review(n: int) -> dict:
    return {"external_id": f"R-{n}", "rating": 1, "text": "洗了一次就起球", "posted_at": "2026-11-22T20:00:00Z"}


def test_identical_new_reviews_at_the_same_instant(post_together):
    results = _results(post_together("/api/v1/reviews", [_review(n) for n in range(ROWS)]))
    assert results == {"created": ROWS, "updated": ROWS * (CLIENTS - 1)}
    assert Review.objects.count() == ROWS


def test_identical_new_orders_at_the_same_instant(post_together):
    results = _results(post_together("/api/v1/orders", [order_payload(n) for n in range(1, ROWS + 1)]))
    assert results == {"created": ROWS, "updated": ROWS * (CLIENTS - 1)}
    assert (Order.objects.count(), Customer.objects.count()) == (ROWS, ROWS)


def test_orders_of_one_new_customer_at_the_same_instant(post_together):
    # Different orders, one customer nobody has seen yet: the customer is created once.
    bodies = [order_payload(n, customer={"external_id": "buyer-x", "name": "王芳", "phone": "13800138000"})
              for n in range(1, ROWS + 1)]  # fmt: skip
    results = _results(post_together("/api/v1/orders", bodies))
    assert results == {"created": ROWS, "updated": ROWS * (CLIENTS - 1)}
    assert Customer.objects.count() == 1


def test_identical_deliveries_at_the_same_instant(post_together):
    post_together("/api/v1/orders", [order_payload(n) for n in range(1, ROWS + 1)])
    body = [{"order": f"TB{n:08d}", "delivered_at": "2026-11-22T10:00:00+08:00"} for n in range(1, ROWS + 1)]
    results = _results(post_together("/api/v1/deliveries", body))
    assert results == {"delivered": ROWS, "already_delivered": ROWS * (CLIENTS - 1)}


def test_an_order_for_a_customer_a_concurrent_batch_is_creating_points_to_that_customer():
    # The second batch reserves an id for buyer-x (not stored yet for it), inserts its order with that id, then
    # waits at the customer upsert for the first batch, finds buyer-x stored and moves its order to that row.
    from django.db import connection, transaction

    from crm.services.ingestion.inputs import CustomerInput, OrderInput
    from crm.services.ingestion.orders import orders_upsert
    from tests.locking import wait_until_another_session_waits

    store = StoreFactory()

    def order(external_id: str, name: str) -> OrderInput:
        return OrderInput(
            store_id=store.pk,
            external_id=external_id,
            customer=CustomerInput(store_id=store.pk, external_id="buyer-x", name=name, phone="+8613800138000"),
            total_amount="899.00",
            currency="CNY",
            items=[{"sku": "S1", "quantity": 1}],
            placed_at=timezone.now(),
            payload={"order": external_id},
        )

    first_in = threading.Event()
    second = {}

    def second_batch():
        try:
            first_in.wait(30)
            second["results"] = orders_upsert(orders=[order("TB2", "王芳芳")], token=None)
        finally:
            connection.close()

    writer = threading.Thread(target=second_batch)
    writer.start()
    with transaction.atomic():
        (first,) = orders_upsert(orders=[order("TB1", "王芳")], token=None)
        first_in.set()
        wait_until_another_session_waits()  # the second batch stands at buyer-x's row, its order written
    writer.join(60)
    assert not writer.is_alive()
    (result,) = second["results"]
    assert result.created
    customer = Customer.objects.get(store=store)
    assert Order.objects.get(pk=result.id).customer_id == Order.objects.get(pk=first.id).customer_id == customer.pk
    assert customer.name == "王芳芳"  # the later batch's data wins, as it would have without the race
