"""Parcel notices are written in the customer's own language when they have one, else in the store's."""

import pytest

from callbacks.models import FollowUpPolicy
from logistics.models import DelayRule
from logistics.services.notices import notice_render
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

from .conftest import ship

pytestmark = pytest.mark.django_db


def _notice(store_language: str, customer_language: str, key: str) -> str:
    store = StoreFactory(name="茶语 Tea Words (EU)")
    FollowUpPolicy.objects.create(store=store, sms_language=store_language)
    customer = CustomerFactory(store=store, name="Lukas Weber", language=customer_language)
    return notice_render(shipment=ship(OrderFactory(store=store, customer=customer)), key=key)


@pytest.mark.parametrize("key", ["shipped", DelayRule.NO_UPDATE.value])
def test_an_english_customer_of_a_chinese_store_gets_english_parcel_notices(key):
    text = _notice("zh-hans", "en", key)
    assert text.startswith("Hi Lukas Weber, ") and text.endswith(" Reply STOP to opt out") and "回T退订" not in text


@pytest.mark.parametrize("key", ["shipped", DelayRule.NO_UPDATE.value])
def test_a_chinese_customer_of_an_english_store_gets_chinese_parcel_notices(key):
    text = _notice("en", "zh-hans", key)
    assert text.startswith("Lukas Weber您好") and text.endswith("回T退订") and "Reply STOP" not in text


def test_a_customer_without_a_language_gets_the_stores():
    assert _notice("en", "", "shipped").endswith(" Reply STOP to opt out")
