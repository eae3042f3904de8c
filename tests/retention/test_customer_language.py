"""Campaign messages and birthday wishes are texts the store wrote, in one language: what the system writes into them
(the offer in words) and after them (the opt-out wording) is in the store's SMS language whatever the customer's own,
so a message never reads in two languages. (The texts the system writes whole, the care SMS and parcel notices, are
in the customer's language: tests/callbacks/test_customer_language.py, tests/logistics/test_notice_language.py.)"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from callbacks.models import FollowUpPolicy
from retention.models import CampaignContact, RetentionPolicy
from retention.services.birthdays import birthday_wishes_plan
from retention.services.campaigns import campaign_start

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


def _store(language: str):
    store = open_store(name="茶语 Tea Words (EU)", currency="EUR")
    FollowUpPolicy.objects.filter(store=store).update(sms_language=language)
    store.refresh_from_db()  # the policy open_store created is cached on the store as it was
    return store


def _campaign_bodies(store) -> dict[int, str]:
    campaign_start(campaign=campaign_for(store, everyone(store), wordings=["{name}: {offer}"]))
    return dict(CampaignContact.objects.filter(status="planned").values_list("customer_id", "message_body"))


def test_a_chinese_stores_campaign_texts_an_english_customer_its_chinese_wording_whole():
    store = _store("zh-hans")
    anna = customer_with_orders(store, [30], name="Anna Schmidt", language="en")
    lin = customer_with_orders(store, [30], name="林晓")
    bodies = _campaign_bodies(store)
    assert bodies[anna.pk] == "Anna Schmidt: 满300欧元减50欧元回T退订"
    assert bodies[lin.pk] == "林晓: 满300欧元减50欧元回T退订"


def test_an_english_stores_campaign_texts_a_chinese_customer_its_english_wording_whole():
    store = _store("en")
    lin = customer_with_orders(store, [30], name="林晓", language="zh-hans")
    bodies = _campaign_bodies(store)
    assert bodies[lin.pk] == "林晓: €50 off orders of €300 Reply STOP to opt out"


@pytest.mark.parametrize(("store_language", "customer_language"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_a_birthday_wish_ends_with_the_opt_out_in_the_stores_language(store_language, customer_language):
    store = _store(store_language)
    RetentionPolicy.objects.create(store=store, birthday_days_before=3, birthday_template="{name}, {store}")
    soon = timezone.localdate(timezone.now(), store.tzinfo) + timedelta(days=3)
    customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day), language=customer_language)
    assert birthday_wishes_plan(store=store) == 1
    body = CampaignContact.objects.get().message_body
    expected = "回T退订" if store_language == "zh-hans" else " Reply STOP to opt out"
    assert body.endswith(expected) and body.count("回T退订") + body.count("Reply STOP") == 1
