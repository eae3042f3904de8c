"""A manager who double-clicks "create" (or whose browser resends a slow form) gets one campaign, one gift, one
segment.

The form carries a one-time token (crm.services.submissions): the second submit with it creates nothing and is sent
to what the first one made.
"""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from retention.models import Campaign, Gift, Segment
from tests.factories import ManagerFactory

from .conftest import customer_with_orders
from .helpers import everyone, open_store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_campaign():
    """The form's campaign runs 10-12 December 2026: each test runs before it, whatever day it is run on."""
    with time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), tick=True):
        yield


def _token(page: str) -> str:
    """The one-time token the page rendered in its form."""
    return re.search(r'<input type="hidden" name="submission" value="([0-9a-f-]{36})"', page)[1]


def _campaign_form(store, segment, token):
    return {
        "submission": token, "name": "双十二", "segment": segment.pk, "purpose": "holiday", "channel": "sms",
        "wordings": "{name}您好，{offer}", "offer_kind": "fixed_amount", "offer_amount": "50",
        "offer_min_spend": "300", "starts_at": "2026-12-10T10:00", "ends_at": "2026-12-12T10:00",
        "send_from": "10:00", "send_until": "20:00", "control_percent": "10", "attribution_days": "30",
    }  # fmt: skip


def test_a_double_submit_of_the_new_campaign_form_makes_one_draft_and_shows_it_twice(manager_client):
    store, client = manager_client
    customer_with_orders(store, [30])
    segment = everyone(store)
    url = f"/retention/{store.pk}/campaigns/"
    form = _campaign_form(store, segment, _token(client.get(url).content.decode()))

    first, second = client.post(url, form), client.post(url, form)

    campaign = Campaign.objects.get()
    assert campaign.status == "draft"
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/retention/{store.pk}/campaigns/{campaign.pk}/"
    # A fresh form gets a fresh token: the manager's next campaign is a new one.
    assert _token(client.get(url).content.decode()) != form["submission"]
    client.post(url, {**_campaign_form(store, segment, _token(client.get(url).content.decode())), "name": "元旦"})
    assert Campaign.objects.count() == 2


def test_a_refused_submit_leaves_its_token_unused_so_the_corrected_form_is_saved(manager_client):
    store, client = manager_client
    customer_with_orders(store, [30])
    url = f"/retention/{store.pk}/campaigns/"
    form = _campaign_form(store, everyone(store), _token(client.get(url).content.decode()))

    refused = client.post(url, {**form, "wordings": "{name}您好，{coupon}"})
    assert refused.status_code == 400 and f'value="{form["submission"]}"' in refused.content.decode()
    assert client.post(url, form).status_code == 302
    assert Campaign.objects.count() == 1


def test_a_form_without_its_token_is_refused_saying_so(manager_client):
    store, client = manager_client
    customer_with_orders(store, [30])
    form = _campaign_form(store, everyone(store), "")
    answer = client.post(f"/retention/{store.pk}/campaigns/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400 and "reload the page" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_a_double_submit_of_the_new_gift_form_adds_one_gift(manager_client):
    store, client = manager_client
    url = f"/retention/{store.pk}/gifts/"
    form = {"submission": _token(client.get(url).content.decode()), "name": "真丝眼罩礼盒", "genders": ["female"]}

    first, second = client.post(url, form), client.post(url, form)

    assert Gift.objects.filter(store=store).count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def _segment_form(token, name="久未回购"):
    return {
        "submission": token, "name": name,
        "rules-TOTAL_FORMS": "3", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "8",
        "rules-0-attribute": "overdue_days", "rules-0-op": "gte", "rules-0-value": "30",
    }  # fmt: skip


def test_a_double_submit_of_the_new_segment_form_lands_both_on_the_segment_made(manager_client):
    # The second submit answered 400 "the store already has a segment of that name" over the form, as if the
    # manager's segment had not been saved.
    store, client = manager_client
    url = f"/retention/{store.pk}/segments/"
    form = _segment_form(_token(client.get(url).content.decode()))

    first, second = client.post(url, form), client.post(url, form)

    segment = Segment.objects.get(store=store, name="久未回购")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/retention/{store.pk}/segments/{segment.pk}/"
    # A new form with the same name is a second segment asked for: refused on the name, as before.
    again = client.post(url, _segment_form(_token(client.get(url).content.decode())), HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400 and "already has a segment" in again.content.decode()
    assert Segment.objects.filter(store=store, name="久未回购").count() == 1


def test_a_refused_segment_form_keeps_its_token_unused_and_a_form_without_one_is_refused(manager_client):
    store, client = manager_client
    url = f"/retention/{store.pk}/segments/"
    form = _segment_form(_token(client.get(url).content.decode()))

    refused = client.post(url, {**form, "rules-0-value": "lots"})
    assert refused.status_code == 400 and f'value="{form["submission"]}"' in refused.content.decode()
    assert client.post(url, form).status_code == 302
    without = client.post(url, _segment_form("", name="大客户"), HTTP_ACCEPT_LANGUAGE="en")
    assert without.status_code == 400 and "reload the page" in without.content.decode()
    assert not Segment.objects.filter(store=store, name="大客户").exists()


def test_a_segment_token_sent_to_another_stores_address_is_refused_on_the_form_and_writes_nothing():
    # The token rendered on store A's form, sent again (a crafted post) to store B's address, was answered with A's
    # segment under B's address: a redirect to a page that does not exist.
    first, other = open_store(name="丝韵旗舰店"), open_store(name="丝韵折扣店")
    client = Client()
    client.force_login(ManagerFactory(stores=[first, other]).user)
    form = _segment_form(_token(client.get(f"/retention/{first.pk}/segments/").content.decode()))
    assert client.post(f"/retention/{first.pk}/segments/", form).status_code == 302

    crafted = client.post(f"/retention/{other.pk}/segments/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert crafted.status_code == 409
    assert "another store" in crafted.content.decode()
    assert not Segment.objects.filter(store=other, name="久未回购").exists()
    assert Segment.objects.filter(name="久未回购").count() == 1


def _two_stores_client():
    first, other = open_store(name="丝韵旗舰店"), open_store(name="丝韵折扣店")
    client = Client()
    client.force_login(ManagerFactory(stores=[first, other]).user)
    return first, other, client


def test_a_campaign_token_sent_to_another_stores_address_answers_with_the_refusals_own_status():
    # The campaign form answered every refusal of its service with 400, a conflict (409) included; the segment form
    # answers with the refusal's own.
    first, other, client = _two_stores_client()
    customer_with_orders(first, [30])
    customer_with_orders(other, [30])
    url = f"/retention/{first.pk}/campaigns/"
    form = _campaign_form(first, everyone(first), _token(client.get(url).content.decode()))
    assert client.post(url, form).status_code == 302

    crafted = client.post(
        f"/retention/{other.pk}/campaigns/", {**form, "segment": everyone(other).pk}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert crafted.status_code == 409 and "another store" in crafted.content.decode()
    assert not Campaign.objects.filter(store=other).exists()


def test_a_gift_token_sent_to_another_stores_address_answers_with_the_refusals_own_status():
    first, other, client = _two_stores_client()
    url = f"/retention/{first.pk}/gifts/"
    form = {"submission": _token(client.get(url).content.decode()), "name": "真丝眼罩礼盒", "genders": ["female"]}
    assert client.post(url, form).status_code == 302

    crafted = client.post(f"/retention/{other.pk}/gifts/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert crafted.status_code == 409 and "another store" in crafted.content.decode()
    assert not Gift.objects.filter(store=other).exists()
