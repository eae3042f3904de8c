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
