"""GET /api/v1/orders: newest first, filtered by placed and delivered ranges and status, cursor-paginated."""

from base64 import b64encode
from urllib.parse import urlencode

import pytest

from tests.crm.api.helpers import order_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"


@pytest.fixture
def orders(api):
    """Six orders placed a day apart (TB1 the oldest); TB2 and TB4 delivered, TB3 shipped, the rest placed."""
    api.post(
        URL,
        [
            order_payload(n, placed_at=f"2026-11-{10 + n:02d}T10:00:00+08:00")
            | ({"shipped_at": f"2026-11-{10 + n:02d}T18:00:00+08:00"} if n in (2, 3, 4) else {})
            for n in range(1, 7)
        ],
    )
    api.post(
        "/api/v1/deliveries",
        [
            {"order": "TB00000002", "delivered_at": "2026-11-15T09:00:00+08:00"},
            {"order": "TB00000004", "delivered_at": "2026-11-17T09:00:00+08:00"},
        ],
    )


def _listed(api, **params) -> list[str]:
    response = api.get(URL, params)
    assert response.status_code == 200, response.json()
    return [order["external_id"] for order in response.json()["results"]]


def test_orders_are_listed_newest_first(api, orders):
    assert _listed(api) == [f"TB0000000{n}" for n in range(6, 0, -1)]


def test_the_placed_range_includes_its_start_and_excludes_its_end_in_any_offset(api, orders):
    # 2026-11-12T10:00+08:00 is 02:00 UTC: the same instants written in two offsets.
    assert _listed(api, placed_after="2026-11-12T02:00:00Z", placed_before="2026-11-14T10:00:00+08:00") == [
        "TB00000003",
        "TB00000002",
    ]


def test_the_delivered_range_finds_only_delivered_orders(api, orders):
    assert _listed(api, delivered_after="2026-11-01T00:00:00Z") == ["TB00000004", "TB00000002"]
    assert _listed(api, delivered_before="2026-11-16T00:00:00+08:00") == ["TB00000002"]


def test_status_filters_by_one_or_several_statuses(api, orders):
    assert _listed(api, status="shipped") == ["TB00000003"]
    assert _listed(api, status=["delivered", "placed"]) == ["TB00000006", "TB00000005", "TB00000004", "TB00000002",
                                                             "TB00000001"]  # fmt: skip


def test_the_cursor_walks_every_order_once_page_by_page(api, orders):
    seen, response = [], api.get(URL, {"page_size": 4})
    while True:
        body = response.json()
        seen.append([order["external_id"] for order in body["results"]])
        if not body["next"]:
            break
        response = api.client.get(body["next"], headers={"Authorization": f"Token {api.key}"})

    assert seen == [["TB00000006", "TB00000005", "TB00000004", "TB00000003"], ["TB00000002", "TB00000001"]]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"placed_after": "2026-11-12T10:00:00"}, "placed_after", "naive_datetime"),  # which timezone?
        ({"delivered_before": "yesterday"}, "delivered_before", "invalid_datetime"),
        ({"status": "lost"}, "status", "invalid_choice"),
        ({"page_size": "0"}, "page_size", "invalid"),
        ({"page_size": "1001"}, "page_size", "invalid"),
        ({"page_size": "²"}, "page_size", "invalid"),  # str.isdigit() passes it, int() refuses it: it was a 500
        ({"page_size": "١٢"}, "page_size", "invalid"),  # int() reads it; the API reads ASCII digits only
        ({"placed_afer": "2026-11-12T10:00:00Z"}, "placed_afer", "invalid"),  # a misspelt filter must not widen
        # Each was answered for the last value given, silently: which range did the client mean?
        ({"placed_after": ["2026-11-12T10:00:00Z", "2026-11-14T10:00:00Z"]}, "placed_after", "repeated"),
        ({"delivered_before": ["2026-11-16T10:00:00Z"] * 2}, "delivered_before", "repeated"),
        ({"page_size": ["2", "4"]}, "page_size", "repeated"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(api, orders, params, field, code):
    response = api.get(URL, params)

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_an_offset_whose_plus_was_not_encoded_is_named_as_the_reason(api, orders):
    # "?placed_after=2026-11-12T10:00:00+08:00" typed as it is: a query string reads a bare + as a space.
    response = api.client.get(f"{URL}?placed_after=2026-11-12T10:00:00+08:00", headers=api._headers({}))

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("placed_after", "invalid_datetime")
    assert "%2B" in error["message"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "\x0e", "é"])
def test_a_cursor_that_was_not_issued_is_not_found(api, orders, cursor):
    # "\x0e" holds no base64 character: decoded leniently it was the empty cursor, the first page.
    response = api.get(URL, {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "position",
    ["2026", "xxx", "2026-11-20 02:00:00 00:00", "2026-11-20 02:00:00", "\x00", "2026-11-20 02:00:00+23:59",
     "2026-11-20 10:00:00+08:00"],
)  # fmt: skip
def test_a_cursor_with_a_position_we_never_issued_is_not_found(api, orders, position):
    # Base64 of a query string as DRF encodes cursors, its position not a time: the filter on placed_at was a 500. So
    # was an offset PostgreSQL refuses (beyond ±15:59, +23:59); we issue positions in UTC only.
    cursor = b64encode(urlencode({"p": position}).encode()).decode()

    response = api.get(URL, {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
