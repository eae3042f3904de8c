"""GET /api/v1/orders/{external_id} shows the order's follow-ups, a section callbacks registers into crm."""

import re
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.crm.api.helpers import order_payload
from tests.factories import AgentFactory, FollowUpFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def test_a_delivered_orders_detail_shows_the_follow_up_planned_for_it(api):
    api.post("/api/v1/orders", order_payload(1))
    api.post("/api/v1/deliveries", {"order": "TB00000001", "delivered_at": "2026-11-21T10:00:00+08:00"})

    [shown] = api.get("/api/v1/orders/TB00000001").json()["followups"]

    from callbacks.models import FollowUp

    planned = FollowUp.objects.get(order__external_id="TB00000001")
    assert shown["channel"] == planned.channel and shown["status"] == planned.status
    assert OFFSET.search(shown["window_start"]) and OFFSET.search(shown["window_end"])
    assert datetime.fromisoformat(shown["window_start"]) == planned.window_start
    assert datetime.fromisoformat(shown["window_end"]) == planned.window_end


def test_the_follow_ups_show_channel_status_window_assignee_attempts_outcome_and_reason(api, store):
    order = OrderFactory(customer__store=store, external_id="TB1")
    agent = AgentFactory(user=UserFactory(username="li", first_name="Li", last_name="Na"), stores=[store])
    call = FollowUpFactory(order=order, status="done", assignee=agent, attempts=2, outcome="satisfied")
    sms = FollowUpFactory(
        order=order, channel="sms", status="suppressed", suppressed_reason="opted_out", window_start=call.window_end
    )

    shown = api.get("/api/v1/orders/TB1").json()["followups"]

    assert shown == [
        {
            "purpose": "care",
            "channel": "call",
            "status": "done",
            "window_start": call.window_start.isoformat().replace("+00:00", "Z"),
            "window_end": call.window_end.isoformat().replace("+00:00", "Z"),
            "assignee": "Li Na",
            "attempts": 2,
            "outcome": "satisfied",
            "suppressed_reason": "",
        },
        {
            "purpose": "care",
            "channel": "sms",
            "status": "suppressed",
            "window_start": sms.window_start.isoformat().replace("+00:00", "Z"),
            "window_end": sms.window_end.isoformat().replace("+00:00", "Z"),
            "assignee": None,
            "attempts": 0,
            "outcome": "",
            "suppressed_reason": "opted_out",
        },
    ]


def test_an_order_without_follow_ups_shows_an_empty_list(api):
    api.post("/api/v1/orders", order_payload(1))

    assert api.get("/api/v1/orders/TB00000001").json()["followups"] == []


def _queries_for_detail(api, external_id: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"/api/v1/orders/{external_id}").status_code == 200
    return len(queries)


def test_the_detail_costs_the_same_queries_for_one_follow_up_or_many(api, store):
    few, many = OrderFactory(customer__store=store), OrderFactory(customer__store=store)
    FollowUpFactory(order=few, status="done", assignee=AgentFactory(stores=[store]))
    for _ in range(5):
        FollowUpFactory(order=many, status="done", assignee=AgentFactory(stores=[store]))
    _queries_for_detail(api, few.external_id)  # the key's first use costs one query more (last-used stamp)

    assert _queries_for_detail(api, few.external_id) == _queries_for_detail(api, many.external_id)


def test_the_schema_describes_the_follow_ups_of_the_order_detail(client):
    schema = client.get("/api/schema", headers={"Accept": "application/json"}).json()
    detail = schema["paths"]["/api/v1/orders/{external_id}"]["get"]["responses"]["200"]
    components = schema["components"]["schemas"]

    ref = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    followups = components[ref]["properties"]["followups"]
    item = components[followups["items"]["$ref"].rsplit("/", 1)[1]]
    assert followups["type"] == "array" and followups["readOnly"]
    assert set(item["properties"]) == {
        "purpose",
        "channel",
        "status",
        "window_start",
        "window_end",
        "assignee",
        "attempts",
        "outcome",
        "suppressed_reason",
    }
    assert item["properties"]["window_start"]["format"] == "date-time"
    assert "followups" not in components["OrderOut"]["properties"]  # the list keeps its lean rows
