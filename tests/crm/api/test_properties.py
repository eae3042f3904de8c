"""Properties over large input spaces: any body, any batch, any offset, any amount."""

import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models import InboundEvent, Order
from tests.crm.api.helpers import order_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"
DB_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_ids = itertools.count(1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
# Bodies shaped like orders with any field replaced by any JSON value: reaches every reader's error paths.
mutated_orders = st.builds(
    lambda base, key, value: {**base, key: value},
    st.builds(lambda: order_payload(next(_ids))),
    st.sampled_from(
        [
            "external_id",
            "customer",
            "total_amount",
            "currency",
            "items",
            "placed_at",
            "shipped_at",
            "courier",
            "tracking_number",
            "store",
        ]
    ),
    json_values,
)


@DB_SETTINGS
@given(body=st.one_of(json_values, mutated_orders, st.lists(mutated_orders, min_size=1, max_size=5)))
def test_any_json_body_gets_an_answer_never_a_server_error(api, body):
    response = api.post(URL, json.dumps(body))  # the standard library also writes huge integers and Infinity

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        body = response.json()
        assert body["code"] in {"invalid", "malformed_json", "empty_batch"}
        for error in body.get("errors", []):
            assert set(error) == {"index", "field", "code", "message"}


@DB_SETTINGS
@given(ids=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=12))
def test_a_batch_is_written_whole_or_rejected_naming_exactly_its_repeats(api, ids):
    offset = next(_ids) * 1000
    batch = [order_payload(offset + n) for n in ids]
    repeats = [index for index, n in enumerate(ids) if n in ids[:index]]
    before = Order.objects.count()

    response = api.post(URL, batch)

    if repeats:
        assert response.status_code == 400
        assert [(e["index"], e["code"]) for e in response.json()["errors"]] == [(i, "duplicate") for i in repeats]
        assert Order.objects.count() == before
    else:
        results = response.json()["results"]
        assert [r["external_id"] for r in results] == [b["external_id"] for b in batch]
        assert Order.objects.count() == before + len(ids)
        again = api.post(URL, batch).json()["results"]
        assert [(r["id"], r["result"]) for r in again] == [(r["id"], "updated") for r in results]


@DB_SETTINGS
@given(
    # Up to a year ago: a placed_at ahead of our clock is refused (in_future), whatever its offset.
    moment=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2025, 12, 1)),
    offset_minutes=st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
)
def test_any_offset_is_stored_as_the_same_instant_in_utc(api, moment, offset_minutes):
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    n = next(_ids)

    response = api.post(URL, order_payload(n, placed_at=aware.isoformat()))

    order = Order.objects.get(pk=response.json()["results"][0]["id"])
    assert order.placed_at == aware.astimezone(UTC)
    shown = api.get(f"/api/v1/orders/{order.external_id}").json()["placed_at"]
    assert datetime.fromisoformat(shown) == aware


@DB_SETTINGS
@given(
    amount=st.decimals(min_value=0, max_value=Decimal("10000000"), places=2),
    as_number=st.booleans(),
)
def test_any_amount_in_range_is_kept_to_the_cent(api, amount, as_number):
    n = next(_ids)
    sent = float(amount) if as_number else str(amount)

    response = api.post(URL, order_payload(n, total_amount=sent))

    assert response.status_code == 200, response.content
    assert Order.objects.get(pk=response.json()["results"][0]["id"]).total_amount == amount


@DB_SETTINGS
@given(changes=st.lists(st.sampled_from(["total_amount", "courier", "unchanged"]), min_size=1, max_size=6))
def test_the_inbound_log_holds_one_event_per_distinct_payload(api, changes):
    n = next(_ids)
    sent = []
    for step, change in enumerate(changes):
        body = order_payload(n) if change == "unchanged" else order_payload(n, **{change: str(100 + step)})
        api.post(URL, body)
        sent.append(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))

    logged = InboundEvent.objects.filter(kind="order", external_id=order_payload(n)["external_id"]).count()
    assert logged == len(set(sent))
