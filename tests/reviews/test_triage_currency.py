"""The high-value threshold is in the store's currency (ADR 0036): an order in it is compared with the threshold, an
order in another currency is not (reviews hold no exchange rates) and the triage says so; the settings page says
which currency the threshold is in."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reviews.models import Review, ReviewPolicy
from reviews.services.intake import ReviewIn, reviews_ingest
from reviews.services.order_link import reviews_link_orders
from reviews.triage import REASONS, TriageFacts, triage
from tests.factories import ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
POSTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _bad(order_ref: str) -> ReviewIn:
    return ReviewIn(external_id="R1", rating=1, posted_at=POSTED, text="Kaputt nach zwei Tagen", order=order_ref)


def _berlin(threshold="150.00"):
    store = StoreFactory(name="Teehaus Berlin", currency="EUR", timezone="Europe/Berlin")
    ReviewPolicy.objects.create(store=store, high_value_amount=Decimal(threshold))
    return store


def test_a_bad_review_of_a_euro_order_above_a_euro_stores_threshold_is_priority():
    store = _berlin()
    order = OrderFactory(store=store, customer__store=store, total_amount=Decimal("189.00"), currency="EUR")
    reviews_ingest(store=store, rows=[_bad(order.external_id)])
    review = Review.objects.get()
    assert (review.triage_group, review.triage_reasons) == ("priority", ["high_value"])


def test_an_order_in_another_currency_is_not_compared_and_the_triage_says_so():
    # 2,000 yuan against a threshold of 150 euros: compared as numbers it was "high value"; 100 euros against a
    # yuan store's 1,000 was "not high value". Neither can be said without a rate.
    store = _berlin()
    order = OrderFactory(store=store, customer__store=store, total_amount=Decimal("2000.00"), currency="CNY")
    reviews_ingest(store=store, rows=[_bad(order.external_id)])
    review = Review.objects.get()
    assert "high_value" not in review.triage_reasons
    assert review.triage_reasons == ["value_other_currency"] and review.triage_group == "normal"
    assert "another currency" in str(REASONS["value_other_currency"])


def test_a_review_linked_later_to_an_order_in_another_currency_is_not_compared_either():
    store = _berlin()
    reviews_ingest(store=store, rows=[_bad("TB-9")])
    OrderFactory(store=store, customer__store=store, external_id="TB-9", total_amount=Decimal("2000"), currency="USD")
    assert reviews_link_orders(store=store) == 1
    assert Review.objects.get().triage_reasons == ["value_other_currency"]


def test_triage_compares_only_in_the_stores_currency():
    policy = ReviewPolicy(high_value_amount=Decimal("1000"))
    facts = dict(sentiment="bad", text="", sku="", likes=0, images=0, earlier_complaints=0, monitor_hits=[])
    same = triage(
        facts=TriageFacts(**facts, order_amount=Decimal("1000"), order_currency="CNY"),
        policy=policy,
        competitors=None,
        currency="CNY",
    )
    other = triage(
        facts=TriageFacts(**facts, order_amount=Decimal("100"), order_currency="EUR"),
        policy=policy,
        competitors=None,
        currency="CNY",
    )
    assert same.reasons == ["high_value"] and other.reasons == ["value_other_currency"]


def test_the_settings_page_names_the_threshold_currency(client):
    store = _berlin()
    client.force_login(ManagerFactory(stores=[store]).user)
    page = client.get(f"/reviews/settings/{store.pk}/").text
    assert "High-value order from (EUR)" in page and "CNY" not in page
    refused = client.post(f"/reviews/settings/{store.pk}/", {"high_value_amount": "-1", "many_likes": "5",
                                                             "many_images": "1", "repeat_complaints": "2"})  # fmt: skip
    assert refused.status_code == 400 and "High-value order from (EUR)" in refused.text


def test_the_review_page_shows_the_orders_total_in_its_currency_beside_the_reason(client):
    store = _berlin()
    order = OrderFactory(store=store, customer__store=store, total_amount=Decimal("189.00"), currency="USD")
    reviews_ingest(store=store, rows=[_bad(order.external_id)])
    client.force_login(ManagerFactory(stores=[store]).user)
    page = client.get(f"/reviews/{Review.objects.get().pk}/").text
    assert '<span data-testid="order-total">$189.00</span>' in page
    assert "order in another currency than the store&#x27;s: its value is not compared" in page
