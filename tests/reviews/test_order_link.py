"""A review that arrives before its order (the review feed is faster than the order system) is linked to the order
when the order comes: its customer, a triage that knows the order, and then its case with the customer to call."""

import pytest

from crm.models import Case, Order
from reviews.models import Review
from reviews.receivers import link_reviews_to_new_orders
from reviews.services.cases import reviews_open_cases
from reviews.services.order_link import reviews_link_orders, reviews_link_waiting
from tests.crm.api.helpers import order_payload
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
POSTED = "2026-11-22T20:00:00+08:00"


@pytest.fixture
def store():
    return StoreFactory(code="silk-tmall", platform="tmall")


@pytest.fixture
def tasks_run_at_once():
    """The task the order batch queues runs where it is sent, so the whole path is watched."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _post(api, url, body):
    response = api.post(url, body)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _bad_review(api, external_id="R1", order="TB00000001"):
    [row] = _post(api, "/api/v1/reviews", {"external_id": external_id, "order": order, "rating": 1,
                                           "text": "用了两天就坏了", "posted_at": POSTED})  # fmt: skip
    return Review.objects.get(pk=row["id"])


def test_a_review_that_came_before_its_order_is_linked_when_the_order_comes(
    api, tasks_run_at_once, django_capture_on_commit_callbacks
):
    review = _bad_review(api)
    assert (review.order_id, review.customer_id) == (None, None)
    assert "no_matching_order" in review.triage_reasons and review.suspected_malicious
    assert reviews_open_cases() == 0  # no customer to call yet

    with django_capture_on_commit_callbacks(execute=True):
        _post(api, "/api/v1/orders", order_payload(1))

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
    _post(api, "/api/v1/orders", order_payload(1))  # on_commit never runs in this test's transaction

    assert reviews_link_orders(store=store, order_numbers=["TB00000001"]) == 1
    review.refresh_from_db()
    linked_at = review.updated_at
    assert reviews_link_orders(store=store, order_numbers=["TB00000001"]) == 0
    review.refresh_from_db()
    other.refresh_from_db()
    assert review.updated_at == linked_at and review.order_id is not None
    assert other.order_id is None and other.order_ref == "TB00000002"


def test_the_hourly_sweep_links_a_review_whose_task_was_lost(api, store):
    review = _bad_review(api)
    _post(api, "/api/v1/orders", order_payload(1))  # its on_commit message never sent

    assert reviews_link_waiting() == 1
    review.refresh_from_db()
    assert review.order.external_id == "TB00000001"
    assert reviews_link_waiting() == 0


def test_the_order_path_queues_one_message_per_store_for_new_orders_only_and_reads_nothing(
    api, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from crm.services.ingestion.inputs import OrderInput, OrderUpsertResult

    def row(number, *, created):
        return (OrderInput(1, number, None, 0, "CNY", [], None), OrderUpsertResult(1, number, 7, created, created))

    with django_capture_on_commit_callbacks() as queued, django_assert_num_queries(0):
        link_reviews_to_new_orders(OrderInput, orders=[row("A", created=True), row("B", created=False)])
    assert [(c.args) for c in queued] == [(1, ["A"])]
    with django_capture_on_commit_callbacks() as queued:
        link_reviews_to_new_orders(OrderInput, orders=[row("B", created=False)])
    assert queued == []
