"""The quality page reads kept figures (computed by Celery); the review page explains its causes on demand."""

import time

import pytest
from django.core.cache import caches
from django.utils import timezone

from crm.timezones import to_store_local
from reviews.evaluation import HELD_OUT_PARTS, pool, score, scores_from_json, scores_to_json
from reviews.models import ClassifierFigures, Review
from reviews.services.bad_review import review_correct_causes
from reviews.services.intake import ReviewIn, reviews_ingest
from reviews.tasks import FIGURES_REQUESTED
from tests.factories import AgentFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="书店")


def _kept_names():
    return (*(f"real_{part}" for part in HELD_OUT_PARTS), "real_dev", "blind_rounds", "cross_validation")


def _kept():
    figures = scores_to_json(score([(["quality"], ["quality"]), (["other"], ["logistics"])]))
    return ClassifierFigures.objects.create(
        name="shipped", figures=dict.fromkeys(_kept_names(), figures), computed_at=timezone.now()
    )


def test_kept_scores_survive_their_json_form():
    scores = score([(["quality", "price"], ["quality"]), ([], ["logistics"])])
    again = scores_from_json(scores_to_json(scores))
    assert again.macro_f1 == scores.macro_f1 and again.items == 2


def test_quality_page_opens_at_once_from_kept_figures_with_the_time_computed(client, store):
    kept = _kept()
    client.force_login(ManagerFactory(stores=[store]).user)
    client.get("/reviews/quality/")  # the process's first page (templates, translations) is not the point
    started = time.monotonic()
    response = client.get("/reviews/quality/")
    assert time.monotonic() - started < 1.0  # nothing is trained or cross-validated on the request
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="figures-computed-at"' in html
    assert kept.computed_at.strftime("%Y-%m-%d %H:%M") in html
    assert len(response.context["offline"]) == len(_kept_names())
    # With a store chosen, in that store's time (all stores together: UTC, as the page says).
    chosen = client.get("/reviews/quality/", {"store": store.code}).content.decode()
    assert f"{to_store_local(kept.computed_at, store):%Y-%m-%d %H:%M} ({store.timezone})" in chosen


def test_quality_page_without_kept_figures_says_they_are_being_computed(
    client, store, django_capture_on_commit_callbacks
):
    caches["default"].delete(FIGURES_REQUESTED)
    client.force_login(ManagerFactory(stores=[store]).user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get("/reviews/quality/")
        client.get("/reviews/quality/")
    assert 'data-testid="figures-pending"' in response.content.decode()
    assert len(callbacks) == 1  # enqueued after the request's transaction, and once while it runs


def test_refresh_enqueues_the_figures_and_the_chosen_store_model(client, store, django_capture_on_commit_callbacks):
    client.force_login(ManagerFactory(stores=[store]).user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/reviews/quality/refresh", {"store": store.code})
    assert response.status_code == 302 and len(callbacks) == 2
    client.force_login(AgentFactory(stores=[store]).user)
    assert client.post("/reviews/quality/refresh", {"store": store.code}).status_code == 403


def test_a_nul_character_in_the_store_filter_is_an_unknown_store_not_a_500(client, store):
    # An unknown store is not found, as a store outside the manager's is (crm.pages.store_filter).
    client.force_login(ManagerFactory(stores=[store]).user)
    assert client.get("/reviews/quality/", {"store": "a\x00b"}).status_code == 404
    assert client.post("/reviews/quality/refresh", {"store": "a\x00b"}).status_code == 404


def _ingest(store, external_id, text, rating=1):
    reviews_ingest(
        store=store, rows=[ReviewIn(external_id=external_id, rating=rating, posted_at=timezone.now(), text=text)]
    )
    return Review.objects.get(external_id=external_id)


def test_review_page_explains_its_causes_on_demand(client, store):
    review = _ingest(store, "E1", "快递太慢了，内容空洞")
    client.force_login(AgentFactory(stores=[store]).user)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="explain"' in page and 'data-testid="no-cause-recognised"' not in page
    html = client.get(f"/reviews/{review.pk}/explain").content.decode()
    assert 'data-testid="explain-logistics"' in html and 'data-testid="explain-quality"' in html
    assert '<mark class="evidence">内容空洞</mark>' in html


def test_review_page_says_when_no_cause_was_recognised(client, store):
    review = _ingest(store, "E2", "嗯")
    assert review.causes == ["other"] and review.cause_evidence == {}
    client.force_login(AgentFactory(stores=[store]).user)
    assert 'data-testid="no-cause-recognised"' in client.get(f"/reviews/{review.pk}/").content.decode()
    other = StoreFactory(code="elsewhere")
    client.force_login(AgentFactory(stores=[other]).user)
    assert client.get(f"/reviews/{review.pk}/explain").status_code == 404


def test_pooled_scores_add_the_counts_of_each_cause():
    first = score([(["quality"], ["quality"]), (["size"], ["quality"])])
    second = score([(["quality"], ["quality"]), ([], ["price"])])
    pooled = pool([first, second])
    assert pooled.items == 4
    quality = next(s for s in pooled.per_cause if s.cause == "quality")
    assert (quality.support, quality.true_positives, quality.false_negatives) == (3, 2, 1)
    assert (
        pooled.macro_f1 == score([*[(["quality"], ["quality"])] * 2, (["size"], ["quality"]), ([], ["price"])]).macro_f1
    )


def test_all_my_stores_on_the_quality_page_are_the_stores_the_manager_manages(client, store):
    """A manager of this store who serves another as an agent (ADR 0045): the manager's page, store filter and "All my
    stores" alike, covers the stores they manage; the other store's verdicts are its own managers' to read."""
    other = StoreFactory(name="Store B", code="store-b")
    mixed = ManagerFactory(stores=[store])
    mixed.stores.add(other)
    review_correct_causes(review=_ingest(store, "Q1", "做工粗糙，线头很多"), causes=["quality"], actor=None)
    review_correct_causes(review=_ingest(other, "Q2", "快递太慢了，等了一周"), causes=["price"], actor=None)
    client.force_login(mixed.user)

    page = client.get("/reviews/quality/")

    assert [c.review.external_id for c in page.context["recent"]] == ["Q1"]
    assert page.context["live"].items == 1 and "快递太慢了" not in page.content.decode()
    assert client.get("/reviews/quality/", {"store": other.code}).status_code == 404
