"""A review that arrives before its order (the review feed is faster than the order system) is linked to the order
when the order comes: its customer, a triage that knows the order, and then its case with the customer to call."""

import pytest

from crm.models import Case, Order
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.order_link import reviews_link_orders, reviews_link_waiting
from tests.crm.api.helpers import order_payload
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
POSTED = "2026-11-22T20:00:00+08:00"


@pytest.fixture
def store():
    return StoreFactory(code="silk-tmall", platform="tmall")


def _post(api, url, body):
    response = api.post(url, body)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _bad_review(api, external_id="R1", order="TB00000001"):
    [row] = _post(api, "/api/v1/reviews", {"external_id": external_id, "order": order, "rating": 1,
                                           "text": "用了两天就坏了", "posted_at": POSTED})  # fmt: skip
    return Review.objects.get(pk=row["id"])


def test_a_review_that_came_before_its_order_is_linked_by_the_next_sweep_after_the_order_comes(api):
    review = _bad_review(api)
    assert (review.order_id, review.customer_id) == (None, None)
    assert "no_matching_order" in review.triage_reasons and review.suspected_malicious
    assert reviews_open_cases() == 0  # no customer to call yet

    _post(api, "/api/v1/orders", order_payload(1))
    assert Review.objects.get(pk=review.pk).order_id is None  # the order path itself does nothing for it
    assert reviews_link_waiting() == 1  # beat's minute sweep
    assert reviews_link_waiting() == 0

    order = Order.objects.get(external_id="TB00000001")
    review.refresh_from_db()
    assert (review.order_id, review.customer_id) == (order.pk, order.customer_id)
    # Triaged again with the order known: a bad review on a 1,899 CNY order, not a suspected malicious one.
    assert "no_matching_order" not in review.triage_reasons and not review.suspected_malicious
    assert (review.triage_group, review.triage_reasons) == ("priority", ["high_value"])
    assert reviews_open_cases() == 1
    case = Case.objects.get()
    assert (case.customer_id, case.order_id, case.triage_group) == (order.customer_id, order.pk, "priority")


def test_linking_again_changes_nothing_and_leaves_reviews_of_other_orders_waiting(api, store):
    review = _bad_review(api)
    other = _bad_review(api, external_id="R2", order="TB00000002")
    _post(api, "/api/v1/orders", order_payload(1))

    assert reviews_link_orders(store=store) == 1
    review.refresh_from_db()
    linked_at = review.updated_at
    assert reviews_link_orders(store=store) == 0
    review.refresh_from_db()
    other.refresh_from_db()
    assert review.updated_at == linked_at and review.order_id is not None
    assert other.order_id is None and other.order_ref == "TB00000002"
