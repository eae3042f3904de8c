"""The board ranks parcels by their order's value in the store's currency (ADR 0040): an order paid in another
currency counts at the follow-up policy's rate, and one no rate converts comes after, grouped by its currency."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from callbacks.services.policy import policy_update
from logistics.services.delays import delays_sweep
from tests.callbacks.conftest import midday_store
from tests.factories import AgentFactory, CustomerFactory, OrderFactory

from .conftest import ship

pytestmark = pytest.mark.django_db


def _parcel(store, amount: str, currency: str, hours_ago: int = 40):
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal(amount), currency=currency)
    return ship(order, hours_ago=hours_ago)


def _board(store, **query) -> str:
    agent = AgentFactory(stores=[store])
    client = Client()
    client.force_login(agent.user)
    client.cookies["django_language"] = "en"
    return client.get("/logistics/", query).content.decode()


def _ranked(page: str, *parcels) -> list:
    return sorted(parcels, key=lambda s: page.index(s.tracking_number))


def test_an_order_in_another_currency_without_a_rate_comes_after_the_stores_own():
    """A store selling in euros, whose follow-up policy converts nothing: ¥900 is not bigger than €800."""
    store = midday_store(code="tea", currency="EUR")
    yuan = _parcel(store, "900.00", "CNY")
    euros = _parcel(store, "800.00", "EUR")
    small = _parcel(store, "20.00", "EUR")
    delays_sweep(now=timezone.now())
    page = _board(store)
    assert _ranked(page, yuan, euros, small) == [euros, small, yuan]
    assert "€800.00" in page and "€20.00" in page and "¥900.00" in page
    assert "no rate into EUR" in page


def test_an_order_in_another_currency_counts_at_the_follow_up_policys_rate():
    store = midday_store(code="tea", currency="EUR")
    policy_update(store=store, actor=None, changes={"currency": "CNY", "exchange_rates": {"EUR": "7.80"}})
    small_yuan = _parcel(store, "900.00", "CNY")  # €115.38
    big_yuan = _parcel(store, "9000.00", "CNY")  # €1,153.85
    euros = _parcel(store, "800.00", "EUR")
    delays_sweep(now=timezone.now())
    page = _board(store)
    assert _ranked(page, small_yuan, big_yuan, euros) == [big_yuan, euros, small_yuan]
    assert "¥9,000.00" in page and "≈ €1,153.85" in page and "≈ €115.38" in page
    client = Client()
    client.force_login(AgentFactory(stores=[store]).user)
    assert "≈ €1,153.85" in client.get(f"/logistics/shipments/{big_yuan.pk}/").text


def test_stores_in_different_currencies_are_ranked_apart_in_the_order_they_are_listed():
    """On "All my stores" a yuan store's parcels and a euro store's are not compared: each currency's in turn."""
    silk = midday_store(code="a-silk")
    tea = midday_store(code="b-tea", currency="EUR")
    agent = AgentFactory(stores=[silk, tea])
    yuan = _parcel(silk, "900.00", "CNY")
    big_yuan = _parcel(silk, "5000.00", "CNY")
    euros = _parcel(tea, "8000.00", "EUR")
    delays_sweep(now=timezone.now())
    client = Client()
    client.force_login(agent.user)
    page = client.get("/logistics/").content.decode()
    assert _ranked(page, yuan, big_yuan, euros) == [big_yuan, yuan, euros]
