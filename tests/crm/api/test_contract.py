"""The error contract every batch endpoint shares: codes, statuses and nothing half-written."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Customer, InboundEvent, Order
from tests.crm.api.helpers import order_payload, orders_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"


def test_without_a_key_the_answer_is_401(anonymous):
    response = anonymous.post(URL, order_payload())

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_a_wrong_or_revoked_key_is_401(api, anonymous):
    from crm.models import ApiToken
    from crm.services.api_tokens import api_tokens_revoke

    assert anonymous.post(URL, order_payload(), Authorization="Token crm_nonsense").status_code == 401
    api_tokens_revoke(token_ids=list(ApiToken.objects.values_list("pk", flat=True)))
    assert api.post(URL, order_payload()).status_code == 401


def test_a_bad_row_rejects_the_whole_batch_with_every_error(api):
    batch = orders_payload(3)
    batch[0]["customer"]["phone"] = "12345"
    batch[2]["placed_at"] = "2026-11-20T10:00:00"
    batch[2]["total_amount"] = "-5"

    response = api.post(URL, batch)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == [
        (0, "customer.phone", "invalid_phone"),
        (2, "total_amount", "negative_amount"),
        (2, "placed_at", "naive_datetime"),
    ]
    assert not Order.objects.exists() and not Customer.objects.exists() and not InboundEvent.objects.exists()


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"total_amount": "99999999999"}, "total_amount", "amount_too_large"),
        ({"total_amount": 1e300}, "total_amount", "amount_too_large"),
        ({"total_amount": "NaN"}, "total_amount", "invalid_amount"),
        ({"total_amount": "12.345"}, "total_amount", "too_many_decimals"),
        # Python's Decimal reads each of these as a number; an order system means none of them as an amount.
        ({"total_amount": "1_000"}, "total_amount", "invalid_amount"),
        ({"total_amount": "١٢٣٤"}, "total_amount", "invalid_amount"),  # Arabic-Indic digits
        ({"total_amount": "１２.５０"}, "total_amount", "invalid_amount"),  # fullwidth digits
        ({"total_amount": "1e3"}, "total_amount", "invalid_amount"),
        (
            {"items": [{"sku": "A", "name": "B", "quantity": 1, "unit_price": "9_9.00"}]},
            "items.0.unit_price",
            "invalid_amount",
        ),
        (
            {"items": [{"sku": "A", "name": "B", "quantity": 1, "unit_price": "৯৯"}]},  # Bengali digits
            "items.0.unit_price",
            "invalid_amount",
        ),
        ({"total_amount": True}, "total_amount", "invalid_type"),
        ({"placed_at": "yesterday"}, "placed_at", "invalid_datetime"),
        ({"placed_at": "0001-01-01T00:00:00+14:00"}, "placed_at", "out_of_range"),
        ({"currency": "yuan"}, "currency", "invalid_currency"),
        # Three capital letters that name no currency: an order in "NAN" could never be converted or compared.
        ({"currency": "NAN"}, "currency", "invalid_currency"),
        ({"currency": "XYZ"}, "currency", "invalid_currency"),
        ({"external_id": ""}, "external_id", "blank"),
        ({"external_id": "x" * 101}, "external_id", "max_length"),
        ({"items": [{"sku": "A", "name": "B", "quantity": 0, "unit_price": "1"}]}, "items.0.quantity", "out_of_range"),
        ({"items": ["not an object"]}, "items.0", "invalid_type"),
        ({"customer": "buyer-1"}, "customer", "invalid_type"),
        ({"store": "someone-elses"}, "store", "unknown_store"),
    ],
)
def test_each_bad_value_has_its_own_code(api, override, field, code):
    response = api.post(URL, order_payload(1, **override))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_an_order_shipped_before_it_was_placed_or_without_items_rejects_the_batch(api):
    # Both were stored: a parcel shipped before its order existed (POST /api/v1/shipments refuses that), and an
    # order of nothing.
    batch = orders_payload(3)
    batch[0]["shipped_at"] = "2026-11-20T09:59:59+08:00"  # placed 10:00 the same day
    batch[2]["items"] = []

    response = api.post(URL, batch)

    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (0, "shipped_at", "before_placed"),
        (2, "items", "empty"),
    ]
    assert not Order.objects.exists() and not Customer.objects.exists() and not InboundEvent.objects.exists()


def test_an_order_shipped_in_the_future_is_refused_as_a_shipment_is(api):
    response = api.post(URL, order_payload(1, shipped_at="2099-01-01T00:00:00Z"))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("shipped_at", "in_future")]
    assert not Order.objects.exists()


def test_an_order_placed_in_the_future_is_refused_like_a_shipment_or_a_delivery(api):
    # A connector that labels its own wall time Z (or sends a 12-hour clock's PM as AM) lands the order in the future.
    ahead = (timezone.now() + timedelta(hours=8)).isoformat()

    response = api.post(URL, order_payload(1, placed_at=ahead))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("placed_at", "in_future")]
    assert not Order.objects.exists()


def test_a_missing_field_is_named_by_its_dotted_path(api):
    body = order_payload(1)
    del body["customer"]["name"], body["placed_at"]

    errors = api.post(URL, body).json()["errors"]

    assert {(e["field"], e["code"]) for e in errors} == {("customer.name", "required"), ("placed_at", "required")}


def test_the_same_order_twice_in_a_batch_is_an_error_not_a_crash(api):
    response = api.post(URL, [order_payload(1), order_payload(2), order_payload(1)])

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 2, "field": "external_id", "code": "duplicate", "message": response.json()["message"]}
    ]
    assert not Order.objects.exists()


def test_more_than_1000_rows_is_refused(api):
    response = api.post(URL, orders_payload(1001))

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_rows"


def test_a_repeat_after_a_non_object_row_is_named_by_its_own_index(api):
    response = api.post(URL, [42, order_payload(1), order_payload(1)])

    assert [(e["index"], e["code"]) for e in response.json()["errors"]] == [(0, "invalid_type"), (2, "duplicate")]


def test_an_empty_array_is_refused(api):
    assert api.post(URL, []).json()["code"] == "empty_batch"


@pytest.mark.parametrize("body", [b"{not json", b'"a string"', b"[1, 2"])
def test_malformed_json_is_400(api, body):
    response = api.post(URL, body)

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_a_row_that_is_not_an_object_is_a_row_error(api):
    response = api.post(URL, [order_payload(1), 42])

    assert response.status_code == 400
    assert [(e["index"], e["code"]) for e in response.json()["errors"]] == [(1, "invalid_type")]


def test_a_wrong_content_type_is_415(api):
    response = api.post(URL, "external_id=1", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/deliveries", "/api/v1/reviews", "/api/v1/shipments"])
def test_a_file_sent_to_any_write_endpoint_is_415_and_nothing_is_stored(api, path, settings, tmp_path):
    """No endpoint of the API takes files: a multipart form with a page named as a photo is refused, not parsed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    page = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")

    response = api.client.post(path, {"file": page}, headers={"Authorization": f"Token {api.key}"})

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not list(tmp_path.iterdir())


def test_a_body_in_another_charset_than_utf_8_is_415(api):
    # GBK was read as UTF-8 whatever the header said: these GBK bytes happen to be valid UTF-8, and 錉癅 was stored
    # as 䠰@. A body that is not valid UTF-8 at all got a 400 that did not say why.
    body = json.dumps(order_payload(1, customer={"external_id": "b-1", "name": "錉癅", "phone": "13800138000"}))

    response = api.client.generic(
        "POST", URL, body.encode("gbk"), content_type="application/json; charset=gbk",
        headers={"Authorization": f"Token {api.key}"},
    )  # fmt: skip

    assert response.status_code == 415
    assert (response.json()["code"], response.json()["field"]) == ("unsupported_media_type", "Content-Type")
    assert "UTF-8" in response.json()["message"] and not Customer.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", 'Application/JSON; charset="UTF8"'])
def test_utf_8_may_be_named_in_any_spelling(api, content_type):
    assert api.post(URL, order_payload(1), content_type=content_type).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/order", "/api/v2/orders", "/api/"])
def test_an_api_address_that_does_not_exist_is_a_json_404(api, path):
    # The HTML "page not found" page, to a connector that reads JSON: a trailing slash is a common slip.
    response = api.post(path, order_payload(1))

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": f"Nothing answers at {path}."}


def test_more_query_parameters_than_are_read_is_a_json_400(api, settings):
    # Django refuses to parse more than DATA_UPLOAD_MAX_NUMBER_FIELDS: its HTML "bad request" page.
    response = api.get(URL + "?" + "&".join(["status=placed"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)))

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_many_parameters"


def test_a_key_named_twice_in_one_object_is_a_row_error_and_nothing_is_written(api):
    # The last value was taken without a word: which phone did the sender mean?
    second = json.dumps(order_payload(2)).replace('"phone": ', '"phone": "13900139000", "phone": ', 1)
    body = f"[{json.dumps(order_payload(1))}, {second}]"

    response = api.post(URL, body)

    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "customer.phone", "duplicate_key")
    ]
    assert not Order.objects.exists()


def test_a_format_parameter_is_a_query_parameter_like_any_other(api):
    # DRF read ?format=xml as "answer in XML", had no such renderer and answered 404 "Not found." on an address that
    # exists, for a batch that was fine: nothing written, nothing said about why.
    posted = api.post(f"{URL}?format=xml", order_payload(1))
    listed = api.get(URL, {"format": "xml"})

    assert posted.status_code == 200 and Order.objects.count() == 1
    assert listed.status_code == 400
    assert [(e["field"], e["message"]) for e in listed.json()["errors"]] == [("format", "Unknown query parameter.")]


def test_a_body_over_the_limit_is_413(api, settings):
    settings.API_MAX_BODY_BYTES = 10_000

    response = api.post(URL, orders_payload(100))

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_a_nul_character_anywhere_is_a_row_error(api):
    response = api.post(URL, [order_payload(1), order_payload(2, note="a\u0000b")])

    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "note", "invalid_character")
    ]


def test_too_many_requests_get_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "2/min"
    from django.core.cache import cache

    cache.clear()
    statuses = [api.get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = api.get(URL)
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


@pytest.mark.urls("tests.crm.api.failing_urls")
def test_a_fault_of_ours_under_the_api_is_a_json_500_without_its_detail(client):
    # The HTML "Server Error (500)" page went to connectors, which read JSON.
    client.raise_request_exception = False

    response = client.post("/api/v1/fails", data="[]", content_type="application/json")
    page = client.get("/fails/")

    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error" and "secret" not in response.content.decode()
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
