"""A customer's own language wins over the store's in the care SMS; a customer without one is written to in the
store's (a cross-border store has customers who read Chinese and customers who read English)."""

import pytest

from callbacks.models import FollowUpPolicy
from callbacks.services.messages import message_language, sms_render

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db


def _care_sms(store_language: str, customer_language: str) -> str:
    store = midday_store(name="茶语 Tea Words (EU)", manager_hotline="+493012345678")
    FollowUpPolicy.objects.create(store=store, sms_language=store_language)
    (followup,) = plan_due_sms(store, 1, name="Anna Schmidt", language=customer_language)
    return sms_render(followup=followup)


def test_an_english_customer_of_a_chinese_store_gets_the_english_care_sms():
    text = _care_sms("zh-hans", "en")
    assert text.startswith("Hi Anna Schmidt, your ") and text.endswith(" Reply STOP to opt out")
    assert "您好" not in text and "回T退订" not in text


def test_a_chinese_customer_of_an_english_store_gets_the_chinese_care_sms():
    text = _care_sms("en", "zh-hans")
    assert text.startswith("Anna Schmidt您好") and text.endswith("回T退订")
    assert "Reply STOP" not in text


@pytest.mark.parametrize("store_language", ["zh-hans", "en"])
def test_a_customer_without_a_language_is_written_to_in_the_stores(store_language):
    text = _care_sms(store_language, "")
    assert text.endswith("回T退订" if store_language == "zh-hans" else "Reply STOP to opt out")


def test_the_message_language_is_the_customers_else_the_stores():
    store = midday_store()
    policy = FollowUpPolicy.objects.create(store=store, sms_language="en")
    (followup,) = plan_due_sms(store, 1, language="zh-hans")
    assert message_language(customer=followup.customer, policy=policy) == "zh-hans"
    followup.customer.language = ""
    assert message_language(customer=followup.customer, policy=policy) == "en"
    assert message_language(customer=None, policy=policy) == "en"
