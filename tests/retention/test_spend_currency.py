"""A customer's spend, their RFM money score and VIP tier are in the store's currency (ADR 0036): an order in
another currency is converted with the store's follow-up policy rates, or, without a rate, left out of the spend
(it still counts as an order). Nothing adds yuan to euros as if they were one money."""

from decimal import Decimal

import pytest
from django.test import Client

from callbacks.models import FollowUpPolicy
from crm.models import Customer
from retention.models import CustomerAttributes, RetentionPolicy
from retention.selectors import segment_explain
from retention.services.segments import attributes_refresh, segment_create
from tests.factories import CustomerFactory, ManagerFactory, StoreFactory

from .conftest import buy

pytestmark = pytest.mark.django_db


def _berlin(policy_currency="EUR", rates=None):
    store = StoreFactory(name="Teehaus Berlin", currency="EUR", timezone="Europe/Berlin")
    FollowUpPolicy.objects.create(store=store, currency=policy_currency, exchange_rates=rates or {})
    return store


def _spent(customer) -> Decimal:
    return CustomerAttributes.objects.get(customer=customer).total_spent


def test_orders_in_other_currencies_are_converted_into_the_stores_or_left_out_of_the_spend():
    store = _berlin(rates={"USD": "0.90"})
    customer = CustomerFactory(store=store)
    buy(customer, days_ago=30, amount="500.00", currency="EUR")
    buy(customer, days_ago=20, amount="100.00", currency="USD")  # 90 euros at the policy's rate
    buy(customer, days_ago=10, amount="100.00", currency="GBP")  # no rate: not a number of euros
    attributes_refresh(store=store)
    a = CustomerAttributes.objects.get(customer=customer)
    assert (a.orders_count, a.total_spent) == (3, Decimal("590.00"))


def test_a_policy_in_another_currency_than_the_stores_converts_through_it():
    # The demo's Berlin store: tiers in yuan, one euro at 7.80 yuan. A 780-yuan order is 100 euros of spend.
    store = _berlin(policy_currency="CNY", rates={"EUR": "7.80"})
    customer = CustomerFactory(store=store)
    buy(customer, days_ago=30, amount="780.00", currency="CNY")
    buy(customer, days_ago=20, amount="50.00", currency="EUR")
    attributes_refresh(store=store)
    assert _spent(customer) == Decimal("150.00")


def test_a_customer_whose_orders_cannot_be_valued_gets_the_lowest_money_score_not_the_highest():
    store = _berlin()
    unvalued = CustomerFactory(store=store)
    buy(unvalued, days_ago=5, amount="9000.00", currency="JPY")
    small, big = CustomerFactory(store=store), CustomerFactory(store=store)
    buy(small, days_ago=5, amount="20.00", currency="EUR")
    buy(big, days_ago=5, amount="400.00", currency="EUR")
    attributes_refresh(store=store)
    scores = {c: CustomerAttributes.objects.get(customer=c).monetary_score for c in (unvalued, small, big)}
    assert scores[unvalued] < scores[small] < scores[big]
    assert _spent(unvalued) == 0


def test_the_vip_tier_compares_the_spend_in_the_stores_currency():
    # Two 1,500-yuan orders in a euro store were "3,000 spent", silver at 2,000 "euros".
    store = _berlin(policy_currency="CNY", rates={"EUR": "7.80"})
    RetentionPolicy.objects.create(
        store=store, silver_min_spent=Decimal("300"), gold_min_spent=Decimal("1000"), platinum_min_spent=Decimal("5000")
    )
    customer = CustomerFactory(store=store)
    buy(customer, days_ago=60, amount="1500.00", currency="CNY")
    buy(customer, days_ago=30, amount="1500.00", currency="CNY")
    attributes_refresh(store=store)
    assert _spent(customer) == Decimal("384.62")
    assert Customer.objects.get(pk=customer.pk).vip_tier == Customer.VipTier.SILVER


def test_the_segment_page_and_its_reasons_show_the_spend_in_the_stores_currency():
    store = _berlin()
    customer = CustomerFactory(store=store, name="Frau Keller")
    buy(customer, days_ago=5, amount="590.00", currency="EUR")
    attributes_refresh(store=store)
    scored = segment_create(
        store=store, name="scored", rules=[{"attribute": "monetary_score", "op": "gte", "value": 1}]
    )
    own = segment_create(store=store, name="spenders", rules=[{"attribute": "total_spent", "op": "gte", "value": 500}])
    attrs = CustomerAttributes.objects.get(customer=customer)
    assert segment_explain(segment=scored, attrs=attrs) == ["spend score 1 of 5 (€590.00 spent)"]
    client = Client()
    client.force_login(ManagerFactory(stores=[store]).user)
    page = client.get(f"/retention/{store.pk}/segments/{own.pk}/").text
    assert "<td>€590.00</td>" in page and "total spent at least €500.00" in page
    csv = b"".join(client.get(f"/retention/{store.pk}/segments/{own.pk}.csv").streaming_content).decode()
    assert "Spent (EUR)" in csv and ",590.00," in csv
    listed = client.get(f"/retention/{store.pk}/segments/").text
    assert "total spent at least €500.00" in listed and 'data-testid="amounts-currency"' in listed
