"""Schemathesis over /api/schema, in-process: no 5xx, and every answer matches what the schema says.

Bounded (a few dozen examples per operation, positive and negative) so it runs in the normal suite.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application
from tests.crm.api.helpers import orders_payload

# Loaded at collection, through the app itself (no server); generating the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema", application)


@pytest.fixture
def seeded_api(api):
    # Some orders to read, list and deliver, so generated requests reach more than the 404 path.
    api.post("/api/v1/orders", orders_payload(3))
    # As Django's test client does around each request (and it reconnects them after one, so this comes
    # after seeding): a request must not close the test's connection, and its transaction, when it ends.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# Derandomized: the suite's verdict must not depend on the draw (a random draw once found a cursor of non-base64
# characters read as the first page, now refused). Explore with `--hypothesis-seed=N` and a larger max_examples.
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_to_its_schema_and_never_answers_5xx(case, seeded_api):
    # positive_data_acceptance is left out: the schema cannot say which phone numbers phonenumbers accepts or
    # which orders exist, so a schema-valid body may rightly get a 400 or 404.
    case.call_and_validate(
        headers={"Authorization": f"Token {seeded_api.key}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_the_schema_and_the_docs_page_are_served(client):
    schema_response = client.get("/api/schema", headers={"Accept": "application/json"})
    docs = client.get("/api/docs")

    assert schema_response.status_code == 200
    assert {"/api/v1/orders", "/api/v1/orders/{external_id}", "/api/v1/deliveries"} <= set(
        schema_response.json()["paths"]
    )
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
