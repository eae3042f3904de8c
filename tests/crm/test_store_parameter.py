"""?store= names one store. A page or an API read asked for two used to answer for the last one named (Django's
QueryDict.get), so a link or a connector that added a second store silently showed the other store's figures."""

import pytest
from django.test import Client

from crm.services.api_tokens import api_token_create
from tests.factories import ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
PAGES = ["/manager/reports/", "/manager/audit/", "/manager/policy/", "/calls/", "/logistics/", "/letters/", "/reviews/"]


@pytest.fixture
def stores():
    return StoreFactory(code="silk"), StoreFactory(code="jade")


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_for_two_stores_is_a_400_naming_the_store_parameter(client, stores, url):
    client.force_login(ManagerFactory(stores=list(stores)).user)

    assert client.get(url, {"store": "jade"}).status_code == 200
    response = client.get(url, {"store": ["silk", "jade"]})

    assert response.status_code == 400
    assert "Name one store" in response.content.decode()


def test_an_htmx_request_asked_for_two_stores_gets_the_error_fragment(client, stores):
    client.force_login(ManagerFactory(stores=list(stores)).user)

    response = client.get("/logistics/", {"store": ["silk", "silk"]}, headers={"HX-Request": "true"})

    assert response.status_code == 400 and "<html" not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/orders/TB-1"])
def test_an_api_read_asked_for_two_stores_is_a_400_naming_store(stores, path):
    OrderFactory(store=stores[0], external_id="TB-1")
    _token, key = api_token_create(store_codes=["silk", "jade"], name="ERP")

    response = Client().get(path, {"store": ["silk", "jade"]}, headers={"Authorization": f"Token {key}"})

    assert response.status_code == 400
    assert response.json()["code"] == "store_repeated" and response.json()["field"] == "store"


# The page POSTs whose view reads the store from the form body (a hidden field, or a select).
POSTS = [
    "/manager/policy/remedy_limit/",
    "/manager/reports/recalculate/",
    "/logistics/settings/",
    "/letters/rule/",
    "/reviews/quality/refresh",
]


@pytest.mark.parametrize("url", POSTS)
def test_a_form_naming_two_stores_is_a_400_and_changes_nothing(client, stores, url):
    """The middleware checks the query string only (it reads no body): a form body with store=silk&store=jade
    was saved for jade, the last one named, whatever store the page showed."""
    from crm.models import AuditLog, Store

    client.force_login(ManagerFactory(stores=list(stores)).user)
    body = {"store": ["silk", "jade"], "agent_remedy_limit": "10", "enabled": "on", "min_amount": "1"}

    response = client.post(url, body)

    assert response.status_code == 400
    assert "Name one store" in response.content.decode()
    assert not AuditLog.objects.exists() and not Store.objects.filter(agent_remedy_limit=10).exists()


def test_a_form_naming_another_store_than_its_address_is_a_400(client, stores):
    client.force_login(ManagerFactory(stores=list(stores)).user)

    response = client.post("/logistics/settings/?store=silk", {"store": "jade"})

    assert response.status_code == 400 and "Name one store" in response.content.decode()
    # The page's own forms name the same store in both places.
    assert client.get("/logistics/settings/?store=silk").status_code == 200
