"""The VIP thresholds of a store without its own are the house defaults, 2,000 / 5,000 / 10,000 yuan (ADR 0043): a
store selling in another currency gets them converted at its follow-up policy's rate, as spend is; when no rate
converts yuan into its currency it gets none (nobody is VIP by spend) until its thresholds are set, and the segments
page and the admin say which it is, in the store's currency. Never 2,000 euros read from a yuan figure."""

from decimal import Decimal

import pytest
from django.test import Client

from callbacks.models import FollowUpPolicy
from crm.models import Customer
from retention.models import RetentionPolicy, retention_policy_for
from retention.services.segments import attributes_refresh
from tests.factories import CustomerFactory, ManagerFactory, StoreFactory

from .conftest import buy

pytestmark = pytest.mark.django_db


def _berlin(policy_currency="CNY", rates=None):
    store = StoreFactory(code="tea", name="Teehaus Berlin", currency="EUR", timezone="Europe/Berlin")
    FollowUpPolicy.objects.create(store=store, currency=policy_currency, exchange_rates=rates or {})
    return store


def _thresholds(policy) -> tuple:
    return policy.silver_min_spent, policy.gold_min_spent, policy.platinum_min_spent


def _page(store) -> str:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(ManagerFactory(stores=[store]).user)
    return client.get(f"/retention/{store.pk}/segments/").text


def test_a_yuan_store_keeps_the_house_defaults():
    store = StoreFactory(code="silk")
    assert _thresholds(retention_policy_for(store=store)) == (Decimal("2000"), Decimal("5000"), Decimal("10000"))
    assert "silver from ¥2,000.00, gold from ¥5,000.00, platinum from ¥10,000.00" in _page(store)


def test_a_euro_store_gets_the_house_defaults_converted_at_its_follow_up_policys_rate():
    store = _berlin(rates={"EUR": "7.80"})  # 2,000 yuan is 256.41 euros: whole euros
    assert _thresholds(retention_policy_for(store=store)) == (Decimal("256"), Decimal("641"), Decimal("1282"))
    customer = CustomerFactory(store=store)
    buy(customer, days_ago=60, amount="150.00", currency="EUR")
    buy(customer, days_ago=30, amount="150.00", currency="EUR")
    attributes_refresh(store=store)
    assert Customer.objects.get(pk=customer.pk).vip_tier == Customer.VipTier.SILVER
    page = _page(store)
    assert "silver from €256.00, gold from €641.00, platinum from €1,282.00" in page
    assert "converted from ¥2,000.00 / ¥5,000.00 / ¥10,000.00" in page


def test_a_euro_store_no_rate_converts_yuan_for_gets_no_vip_tier_by_spend_and_is_told_so():
    store = _berlin(policy_currency="EUR")
    customer = CustomerFactory(store=store, vip_tier=1)
    buy(customer, days_ago=60, amount="1500.00", currency="EUR")
    buy(customer, days_ago=30, amount="1500.00", currency="EUR")  # 3,000 euros: "silver" at 2,000 read as euros
    attributes_refresh(store=store)
    assert Customer.objects.get(pk=customer.pk).vip_tier == Customer.VipTier.NONE
    assert "VIP thresholds are not set in EUR" in _page(store)


def test_a_stores_own_thresholds_are_shown_in_its_currency():
    store = _berlin()
    RetentionPolicy.objects.create(
        store=store, silver_min_spent=Decimal("300"), gold_min_spent=Decimal("1000"), platinum_min_spent=Decimal("5000")
    )
    assert "silver from €300.00, gold from €1,000.00, platinum from €5,000.00" in _page(store)


def _add_form(store, **thresholds) -> dict:
    return {"store": store.pk, "default_cycle_days": 90, "vip_min_orders": 2, "birthday_wishes": "on",
            "birthday_days_before": 3, "birthday_template": "{name}您好，{store}祝您生日快乐", "gift_days_before": 14,
            "silver_min_spent": "", "gold_min_spent": "", "platinum_min_spent": "", **thresholds}  # fmt: skip


def test_the_admin_gives_a_new_policy_left_blank_the_stores_converted_defaults(admin_client):
    store = _berlin(rates={"EUR": "7.80"})
    assert admin_client.post("/admin/retention/retentionpolicy/add/", _add_form(store)).status_code == 302
    assert _thresholds(RetentionPolicy.objects.get(store=store)) == (Decimal("256"), Decimal("641"), Decimal("1282"))


def test_the_admin_asks_for_thresholds_in_the_stores_currency_when_no_rate_converts_the_defaults(admin_client):
    store = _berlin(policy_currency="EUR")
    admin_client.cookies["django_language"] = "en"
    answer = admin_client.post("/admin/retention/retentionpolicy/add/", _add_form(store))
    assert answer.status_code == 200 and "Give the VIP thresholds in EUR" in answer.text
    assert not RetentionPolicy.objects.filter(store=store).exists()
    given = _add_form(store, silver_min_spent="300", gold_min_spent="1000", platinum_min_spent="5000")
    assert admin_client.post("/admin/retention/retentionpolicy/add/", given).status_code == 302
