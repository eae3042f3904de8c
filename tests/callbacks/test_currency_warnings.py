"""An order in a currency its store cannot convert: planned nothing, and both the API and the manager say so."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from callbacks.models import FollowUp
from callbacks.services.policy import policy_update
from crm.services.api_tokens import api_token_create
from tests.crm.api.helpers import order_payload
from tests.factories import ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(code="tea-own", timezone="Europe/Berlin")


@pytest.fixture
def api(store):
    _token, key = api_token_create(store_codes=[store.code], name="EU shop")
    client = Client(headers={"Authorization": f"Token {key}"})

    def post(path, body):
        return client.post(path, body, content_type="application/json")

    return post


def _deliver(api, *orders):
    assert api("/api/v1/orders", list(orders)).status_code == 200
    moment = datetime.now(UTC).isoformat()
    response = api("/api/v1/deliveries", [{"order": o["external_id"], "delivered_at": moment} for o in orders])
    assert response.status_code == 200
    return {row["order"]: row for row in response.json()["results"]}


def test_a_delivered_order_the_store_cannot_convert_gets_a_warning_in_its_row(api):
    rows = _deliver(api, order_payload(1, currency="EUR", total_amount="500.00"), order_payload(2))
    eur, cny = rows["TB00000001"], rows["TB00000002"]
    assert eur["result"] == "delivered"
    assert [(w["code"], w["field"]) for w in eur["warnings"]] == [("unknown_currency", "currency")]
    assert "EUR" in eur["warnings"][0]["message"]
    assert "warnings" not in cny
    assert FollowUp.objects.get(order__external_id="TB00000001").suppressed_reason == "unknown_currency"


def test_a_store_with_a_rate_for_the_currency_plans_it_and_warns_nothing(api, store):
    policy_update(store=store, actor=None, changes={"exchange_rates": {"EUR": "7.80"}})
    rows = _deliver(api, order_payload(1, currency="EUR", total_amount="200.00"))
    assert "warnings" not in rows["TB00000001"]
    followup = FollowUp.objects.get(order__external_id="TB00000001")
    assert followup.status == "planned" and followup.channel == "call"  # 1,560 CNY: the call tier


def test_the_manager_s_escalations_show_orders_planned_nothing_for_their_currency(api, store, client):
    _deliver(api, order_payload(1, currency="EUR", total_amount="500.00"), order_payload(2))
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    page = client.get("/manager/escalations/").text
    section = page[page.index('data-testid="unknown-currency"') :]
    section = section[: section.index("</section>")]
    assert "TB00000001" in section and "€500.00" in section and "TB00000002" not in section
    assert "/manager/policy/" in section  # where the rate is set


def test_the_policy_link_of_an_order_it_cannot_convert_opens_that_orders_store(api, store, client):
    """A manager of two stores followed the link to add the rate and landed on their first store's policy page (the
    link named no store), where the rate would not help the other store's orders."""
    first = StoreFactory(code="aaa-first")  # first of the manager's stores: where the page went with no store named
    _deliver(api, order_payload(1, currency="EUR", total_amount="500.00"))
    manager = ManagerFactory(stores=[first, store])
    client.force_login(manager.user)

    page = client.get("/manager/escalations/").text

    section = page[page.index('data-testid="unknown-currency"') :]
    section = section[: section.index("</section>")]
    assert 'href="/manager/policy/?store=tea-own#followups"' in section
    assert 'href="/manager/policy/"' not in section
