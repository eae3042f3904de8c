import pytest
from django.core.management import call_command
from django.db import models

from crm.models import Case
from reviews.models import Review

pytestmark = pytest.mark.django_db


def test_demo_reviews_load_twice_without_doubling(settings):
    call_command("seed_demo")
    call_command("seed_demo_reviews")
    first = (Review.objects.count(), Case.objects.filter(source="review").count())
    call_command("seed_demo_reviews")
    assert (Review.objects.count(), Case.objects.filter(source="review").count()) == first
    assert first[0] > 0 and first[1] > 0
    assert Review.objects.filter(flagged=True).exists()


def test_demo_reviews_come_after_their_order_was_signed_for():
    """A review on a demo order was posted once the parcel came; a parcel still on its way has none (a platform takes
    no review before the buyer signs). Twice over: a second run finds the later seeds' orders too (the purchase history
    and a coupon order, not shipped; the order signed for yesterday whose care SMS the STOP demo answers), and each
    review stays on the order it was about."""
    call_command("seed_demo")
    about = None
    for _run in range(2):
        call_command("seed_demo_reviews")
        call_command("seed_demo_retention")
        call_command("seed_demo_callbacks")
        on_orders = Review.objects.filter(order__isnull=False).select_related("order")
        assert on_orders.exists()
        assert about in (None, dict(on_orders.values_list("external_id", "order__external_id")))
        about = dict(on_orders.values_list("external_id", "order__external_id"))
        for review in on_orders:
            assert review.order.shipped_at is not None, review.order.external_id
            assert review.order.delivered_at is not None, review.order.external_id
            assert review.posted_at >= review.order.delivered_at, review.order.external_id


def test_the_classifier_quality_page_shows_the_demo_agents_verdicts(client):
    """The demo agent has checked a few reviews' causes (confirmed most, corrected some): the quality page compares
    the classifier with them instead of saying no agent has checked any. Once each, on a second run too."""
    from reviews.models import CauseCorrection

    call_command("seed_demo")
    call_command("seed_demo_reviews")
    checked = CauseCorrection.objects.count()
    call_command("seed_demo_reviews")
    assert CauseCorrection.objects.count() == checked >= 3
    assert CauseCorrection.objects.exclude(after=models.F("predicted")).exists()  # one the classifier got wrong
    client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"})
    page = client.get("/reviews/quality/", headers={"Accept-Language": "en"}).text
    assert "No agent has checked a review's causes yet." not in page
    assert f"{checked} reviews checked" in page
    assert "小林" in page and "demo-agent" not in page  # who checked them, by name as everywhere else


def test_the_demo_asks_the_worker_for_the_classifier_figures_until_they_are_kept(django_capture_on_commit_callbacks):
    """The quality page's offline figures take the worker minutes: the seed enqueues their computation, so `make run`'s
    worker starts on them at once rather than when a visitor first opens the page (which then finds them asked for,
    not asked again). Once; and not at all once figures are kept."""
    from django.core.cache import caches
    from django.utils import timezone

    from reviews.models import ClassifierFigures
    from reviews.tasks import FIGURES_REQUESTED, compute_classifier_figures

    caches["default"].delete(FIGURES_REQUESTED)
    call_command("seed_demo")
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo_reviews")
        call_command("seed_demo_reviews")
    assert callbacks.count(compute_classifier_figures.delay) == 1
    ClassifierFigures.objects.create(name="shipped", figures={}, computed_at=timezone.now())
    caches["default"].delete(FIGURES_REQUESTED)
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo_reviews")
    assert compute_classifier_figures.delay not in callbacks


def test_the_demo_has_a_review_made_worse_after_its_case_closed_once(client):
    call_command("seed_demo")
    call_command("seed_demo_reviews")
    call_command("seed_demo_reviews")

    review = Review.objects.get(external_id="silk-tmall-r003")
    assert (review.rating, review.case.status) == (1, "closed")
    assert [(r.old_rating, r.new_rating) for r in review.revisions.all()] == [(3, 1)]
    client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"})
    board = client.get("/manager/escalations/", headers={"Accept-Language": "en"}).text
    assert "silk-tmall-r003" in board.split('data-testid="reviews-after-close"')[1].split("</section>")[0]


def test_the_demo_berlin_stores_high_value_threshold_is_in_euros():
    """The tea store sells in euros (18 to 528): a threshold of 1,000 meant in yuan made none of its orders high."""
    from decimal import Decimal

    from reviews.models import ReviewPolicy

    call_command("seed_demo")
    call_command("seed_demo_reviews")
    assert ReviewPolicy.objects.get(store__code="tea-own").high_value_amount == Decimal("128")
    assert ReviewPolicy.objects.get(store__code="silk-tmall").high_value_amount == Decimal("1000")
