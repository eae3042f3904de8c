from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from callbacks.telephony.memory import InMemoryBackend
from tests.factories import CustomerFactory, ManagerFactory, OrderFactory

from .helpers import open_store


@pytest.fixture(autouse=True)
def _empty_outbox():
    InMemoryBackend.reset()
    yield
    InMemoryBackend.reset()


def buy(customer, *, days_ago: float, amount: str = "500.00", sku: str = "SKU-1", category: str = "scarves", **kw):
    return OrderFactory(
        customer=customer,
        total_amount=Decimal(amount),
        placed_at=timezone.now() - timedelta(days=days_ago),
        items=[{"sku": sku, "name": "围巾", "quantity": 1, "unit_price": amount, "category": category}],
        **kw,
    )


def customer_with_orders(store, days_ago: list[float], amount: str = "500.00", **kw):
    """A customer who gave marketing consent at checkout (unless told otherwise), with orders days ago."""
    kw.setdefault("marketing_consent_at", timezone.now() - timedelta(days=400))
    kw.setdefault("marketing_consent_source", "checkout" if kw["marketing_consent_at"] else "")
    customer = CustomerFactory(store=store, **kw)
    for days in days_ago:
        buy(customer, days_ago=days, amount=amount)
    return customer


@pytest.fixture
def manager_client():
    """A manager of one open store, logged in: (store, client)."""
    store = open_store(name="丝韵旗舰店")
    client = Client()
    client.force_login(ManagerFactory(stores=[store]).user)
    return store, client
