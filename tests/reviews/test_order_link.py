"""A review that arrives before its order (the review feed is faster than the order system) is linked to the order
when the order comes: its customer, a triage that knows the order, and then its case with the customer to call."""

from datetime import UTC, datetime

import pytest
import time_machine

from crm.models import Case, Order
from crm.wording import fingerprint
from reviews.models import Review, ReviewReply
from reviews.replies import candidates, draft_cause, voice_for
from reviews.services.cases import reviews_open_cases
from reviews.services.order_link import reviews_link_orders, reviews_link_waiting
from reviews.services.public_reply import reply_edit
from tests.crm.api.helpers import order_payload
from tests.factories import AgentFactory, StoreFactory

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


def _review_with_product(api, external_id="R1", order="TB00000001"):
    body = {"external_id": external_id, "order": order, "rating": 1, "product": "真丝围巾", "text": "用了两天就坏了",
            "posted_at": POSTED}  # fmt: skip
    [row] = _post(api, "/api/v1/reviews", body)
    return Review.objects.get(pk=row["id"])


def _is_apology_for_the_product(text, review):
    review.refresh_from_db()
    cause = draft_cause(cause=review.causes[0], text=review.text)
    made = candidates(voice=voice_for(store=review.store), lang="zh", tone="bad", cause=cause, product_name="真丝围巾",
                      seed="s")  # fmt: skip
    return text in set(made)


def test_the_reply_draft_written_before_the_order_came_is_written_again_when_the_review_is_linked(api, store):
    # Drafted with no order: suspected malicious, so a neutral draft that may tell buyers no order was found and
    # never names the product.
    review = _review_with_product(api)
    before = review.reply
    assert "真丝围巾" not in before.text and not before.written_by_agent

    _post(api, "/api/v1/orders", order_payload(1))
    assert reviews_link_waiting() == 1

    reply = ReviewReply.objects.get(review=review)
    # Drafted again as intake drafts for a review on one of our orders: an apology, for the product.
    assert reply.text != before.text and _is_apology_for_the_product(reply.text, review)
    assert reply.fingerprint == fingerprint(reply.text) and reply.drafted_at > before.drafted_at
    assert (reply.status, reply.written_by_agent) == ("draft", False)
    assert "订单" not in reply.text  # nothing about a missing order
    assert reviews_link_waiting() == 0
    assert ReviewReply.objects.get(review=review).text == reply.text


# Replied to within Tmall's 30 days of the review (POSTED), whatever day the test is run on.
@time_machine.travel(datetime(2026, 11, 23, 4, 0, tzinfo=UTC), tick=True)
def test_a_reply_the_agent_wrote_or_posted_is_kept_when_the_review_is_linked(api, store):
    edited, posted = _review_with_product(api), _review_with_product(api, external_id="R2")
    agent = AgentFactory(stores=[store])
    reply_edit(review=edited, text="您好,请提供订单号,我们马上核实。", actor=agent.user)
    reply_edit(review=posted, text=posted.reply.text, actor=agent.user, posted=True)
    kept = {r.review_id: (r.text, r.status, r.drafted_at) for r in ReviewReply.objects.all()}

    _post(api, "/api/v1/orders", order_payload(1))
    assert reviews_link_waiting() == 2

    assert {r.review_id: (r.text, r.status, r.drafted_at) for r in ReviewReply.objects.all()} == kept


def test_a_review_linked_by_its_own_push_again_gets_its_draft_written_again(api, store):
    review = _review_with_product(api)
    neutral = review.reply.text
    _post(api, "/api/v1/orders", order_payload(1))

    _post(api, "/api/v1/reviews", {"external_id": "R1", "rating": 1, "posted_at": POSTED, "likes": 3})

    review.refresh_from_db()
    assert review.order_id is not None and not review.suspected_malicious
    reply = ReviewReply.objects.get(review=review)
    assert reply.text != neutral and _is_apology_for_the_product(reply.text, review)
