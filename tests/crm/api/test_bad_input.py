"""Bad input to every ingestion endpoint: a JSON 4xx naming the code and field, never a 500.

The property test walks every field of every endpoint's body, nested ones included, and puts any JSON value
there; the examples are the cases that answered an HTML 500 before (issue 18, item 8).
"""

import contextlib
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.services.api_tokens import api_token_create
from tests.crm.api.conftest import Api
from tests.crm.api.helpers import order_payload
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
_ids = itertools.count(1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _review(n: int) -> dict[str, Any]:
    return {
        "external_id": f"R{n}",
        "rating": 2,
        "text": "包装破损",
        "order": "TB00000001",
        "product": "真丝围巾",
        "sku": "SILK-01",
        "buyer": "tb_buyer",
        "images": ["http://img.example.com/a.jpg"],
        "likes": 3,
        "posted_at": "2026-11-22T20:00:00+08:00",
        "appended_text": "还是不满意",
        "appended_at": "2026-11-23T20:00:00+08:00",
    }


def _delivery(n: int) -> dict[str, Any]:
    return {"order": f"TB{n:08d}", "delivered_at": "2026-11-21T10:00:00+08:00"}


def _order(n: int) -> dict[str, Any]:
    body = order_payload(n, shipped_at="2026-11-20T12:00:00+08:00", courier="SF", tracking_number=f"SF{n}")
    body["customer"].update(gender="female", birthday="1990-01-01", region="上海", language="en")
    return body


def _shipment(n: int) -> dict[str, Any]:
    return {"order": "TB00000001", "courier": "shunfeng", "tracking_number": f"SF{n}",
            "shipped_at": "2026-11-21T10:00:00+08:00", "promised_delivery_date": "2026-11-24"}  # fmt: skip


# Every ingestion endpoint with a valid body; add new endpoints here so they are held to the same contract.
ENDPOINTS = {
    "/api/v1/orders": _order,
    "/api/v1/deliveries": _delivery,
    "/api/v1/reviews": _review,
    "/api/v1/shipments": _shipment,
}


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a body, nested objects and list items included, plus one unknown key per object."""
    out = []
    if isinstance(value, dict):
        out.append((*prefix, "unknown_field"))
        for key, item in value.items():
            out.append((*prefix, key))
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            out.append((*prefix, position))
            out.extend(_paths(item, (*prefix, position)))
    return out


def _replace(body: Any, path: tuple, value: Any) -> Any:
    *parents, last = path
    target = body
    for key in parents:
        target = target[key]
    target[last] = value
    return body


@st.composite
def mutated_bodies(draw) -> tuple[str, Any]:
    url = draw(st.sampled_from(sorted(ENDPOINTS)))
    body = ENDPOINTS[url](next(_ids))
    for path in draw(st.lists(st.sampled_from(_paths(body)), min_size=1, max_size=2)):
        with contextlib.suppress(KeyError, IndexError, TypeError):  # an earlier replacement removed the parent
            body = _replace(body, path, draw(json_values))
    return url, draw(st.sampled_from([body, [body]]))


@pytest.fixture
def api(store) -> Api:
    OrderFactory(store=store, external_id="TB00000001")
    return Api(Client(), api_token_create(store_codes=[store.code], name="connector")[1])


def _assert_json_4xx(response, field: str | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.content[:500]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] and body["message"]
    if field is not None:
        assert field in [body.get("field"), *(e["field"] for e in body.get("errors", []))], body
    return body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated_bodies())
def test_any_json_value_in_any_field_of_any_endpoint_is_answered_2xx_or_json_4xx(api, case):
    url, body = case
    response = api.post(url, json.dumps(body))
    assert response.status_code < 500, (url, body, response.content[:500])
    if response.status_code >= 400:
        _assert_json_4xx(response)


@pytest.mark.parametrize("gender", [["female"], {"value": "female"}])
def test_gender_as_a_list_or_an_object_is_an_invalid_choice(api, gender):
    body = _order(1)
    body["customer"]["gender"] = gender
    body = _assert_json_4xx(api.post("/api/v1/orders", body), field="customer.gender")
    assert body["errors"][0]["code"] == "invalid_choice"


@pytest.mark.parametrize("url", ["http://[::1/x.jpg", "http://[not-ipv6]/x.jpg", "https://[fe80::1%/a.png"])
def test_review_image_with_a_broken_ipv6_host_is_an_invalid_url(api, url):
    body = _assert_json_4xx(api.post("/api/v1/reviews", {**_review(1), "images": [url]}), field="images.0")
    assert body["errors"][0]["code"] == "invalid_url"


@pytest.mark.parametrize("url", sorted(ENDPOINTS))
def test_each_endpoints_body_as_given_is_accepted(api, url):
    """What the property test mutates is a valid body, so its mutations probe one field at a time."""
    response = api.post(url, json.dumps(ENDPOINTS[url](1)))
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize("url", sorted(ENDPOINTS))
@pytest.mark.parametrize("depth", [950, 5000])
def test_deeply_nested_json_is_refused_as_too_deep(api, url, depth):
    nested = "[" * depth + "]" * depth
    body = ENDPOINTS[url](1)
    raw = json.dumps(body)[:-1] + f', "extra": {nested}}}'
    body = _assert_json_4xx(api.post(url, raw))
    if depth < 1024:  # deeper than that, the JSON parser itself refuses the body
        assert (body["code"], body["field"].split(".")[0]) == ("too_deep", "extra"), body
    else:
        assert body["code"] == "malformed_json"


def test_nesting_within_the_limit_is_accepted(api):
    nested = "[" * 20 + "]" * 20
    raw = json.dumps(_order(1))[:-1] + f', "extra": {nested}}}'
    assert api.post("/api/v1/orders", raw).status_code == 200


# Midnight of Dec 7 in Shanghai (UTC+8) and in Los Angeles (UTC-8).
SHANGHAI_MIDNIGHT = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
LOS_ANGELES_MIDNIGHT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "birthdays"),
    [
        # 23:59:59 on the 6th in Shanghai (already the 7th from UTC+10 eastwards): the 7th is tomorrow there.
        (SHANGHAI_MIDNIGHT - timedelta(seconds=1), {"silk-tmall": ("2026-12-06", "2026-12-07"), "la": None}),
        (SHANGHAI_MIDNIGHT, {"silk-tmall": ("2026-12-07", "2026-12-08"), "la": ("2026-12-06", "2026-12-07")}),
        (LOS_ANGELES_MIDNIGHT - timedelta(seconds=1), {"silk-tmall": None, "la": ("2026-12-06", "2026-12-07")}),
        (LOS_ANGELES_MIDNIGHT, {"silk-tmall": None, "la": ("2026-12-07", "2026-12-08")}),
    ],
)
def test_a_birthday_is_bounded_by_the_today_of_the_rows_store(store, moment, birthdays):
    """A birthday of tomorrow in the store's own time zone is refused (400, the field and why), however late it
    already is elsewhere on Earth: the latest today anywhere let a Shanghai store's customer be born tomorrow."""
    StoreFactory(code="la", timezone="America/Los_Angeles")
    api = Api(Client(), api_token_create(store_codes=["silk-tmall", "la"], name="Both stores")[1])
    with time_machine.travel(moment, tick=False):
        for code, days in birthdays.items():
            if days is None:
                continue
            today, tomorrow = days
            body = order_payload(next(_ids), placed_at="2026-12-01T10:00:00+08:00", store=code)
            body["customer"]["birthday"] = today
            assert api.post("/api/v1/orders", json.dumps(body)).status_code == 200, (code, today)
            body = order_payload(next(_ids), placed_at="2026-12-01T10:00:00+08:00", store=code)
            body["customer"]["birthday"] = tomorrow
            response = api.post("/api/v1/orders", json.dumps(body))
            assert response.status_code == 400, (code, tomorrow)
            [error] = _assert_json_4xx(response, field="customer.birthday")["errors"]
            assert (error["field"], error["code"]) == ("customer.birthday", "out_of_range")
            assert error["message"] == f"The birthday must be between 1900-01-01 and the store's today, {today}."


def test_the_api_answers_in_english_unless_the_client_asks_for_another_language(api, settings):
    """Pages default to Chinese for the agents; a connector that sends no Accept-Language gets one language."""
    settings.LANGUAGE_CODE = "zh-hans"
    body = order_payload(8)
    body["customer"]["phone"] = "12"
    plain = api.post("/api/v1/orders", json.dumps(body))
    assert plain.json()["errors"][0]["message"] == "'12' is not a valid phone number for its region."
    assert plain["Content-Language"] == "en"
    asked = api.client.post(
        "/api/v1/orders", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Token {api.key}", "Accept-Language": "zh-hans"},
    )  # fmt: skip
    assert asked["Content-Language"] == "zh-hans", asked.headers
    assert asked.json()["errors"][0]["message"] == "'12' 不是所在地区的有效电话号码。"
