"""A key reaches its own stores and nothing else; other stores' data answers as if it did not exist."""

import pytest

from crm.models import Order
from crm.services.api_tokens import api_token_create
from tests.crm.api.conftest import Api
from tests.crm.api.helpers import order_payload

pytestmark = pytest.mark.django_db


def test_another_stores_order_is_404_on_read(api, other_api):
    api.post("/api/v1/orders", order_payload(1))

    response = other_api.get("/api/v1/orders/TB00000001")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get("/api/v1/orders/TB00000001").status_code == 200


def test_another_stores_order_cannot_be_delivered(api, other_api):
    api.post("/api/v1/orders", order_payload(1))

    response = other_api.post("/api/v1/deliveries", {"order": "TB00000001", "delivered_at": "2026-11-21T10:00:00Z"})

    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "order"
    assert Order.objects.get().delivered_at is None


def test_a_key_cannot_write_into_another_store(api, other_store):
    response = api.post("/api/v1/orders", order_payload(1, store=other_store.code))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_store"
    assert not Order.objects.exists()


def test_the_same_external_id_in_two_stores_is_two_orders(api, other_api):
    api.post("/api/v1/orders", order_payload(1))
    other_api.post("/api/v1/orders", order_payload(1))

    assert Order.objects.count() == 2
    assert other_api.get("/api/v1/orders").json()["results"][0]["store"] == "tea-jd"


def test_a_key_for_a_set_of_stores_must_name_the_store(client, store, other_store):
    _token, key = api_token_create(store_codes=[store.code, other_store.code], name="ERP")
    erp = Api(client, key)

    missing = erp.post("/api/v1/orders", order_payload(1))
    named = erp.post("/api/v1/orders", [order_payload(1, store=store.code), order_payload(1, store=other_store.code)])

    assert missing.json()["errors"][0] == {
        "index": 0,
        "field": "store",
        "code": "required",
        "message": "This token covers several stores: name the store's code.",
    }
    assert [r["store"] for r in named.json()["results"]] == [store.code, other_store.code]
    assert erp.get("/api/v1/orders/TB00000001").json()["code"] == "store_required"
    assert erp.get("/api/v1/orders/TB00000001", {"store": other_store.code}).json()["store"] == other_store.code


@pytest.mark.parametrize("code", ["tea-jd", "no-such-store"])
def test_listing_a_store_the_key_does_not_cover_is_refused_naming_the_store(api, other_api, code):
    # It answered an empty list, as if the store had no orders; a write naming it is refused as unknown_store.
    other_api.post("/api/v1/orders", order_payload(1))

    response = api.get("/api/v1/orders", {"store": code})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "store", "code": "unknown_store", "message": "No store with this code is covered by this token."}
    ]
