"""Contract of POST /api/v1/reviews: the order API's auth, scope, batches, error shape and idempotency."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from crm.models import Case, InboundEvent
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from tests.crm.api.conftest import Api
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/reviews"


def review(external_id="R1", **fields):
    return {"external_id": external_id, "rating": 5, "text": "很好", "posted_at": "2026-11-22T20:00:00+08:00", **fields}


@pytest.fixture
def store():
    return StoreFactory(code="silk-tmall")


def test_a_bad_review_is_accepted_classified_triaged_and_opens_a_case(api, store):
    order = OrderFactory(store=store, customer__store=store, external_id="TM-1")
    response = api.post(URL, review(rating=1, text="色差太大,和图片不一样", order="TM-1", likes=3))
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert reviews_open_cases() == 1
    case = Case.objects.get()
    assert result == {
        "external_id": "R1",
        "store": "silk-tmall",
        "id": Review.objects.get().pk,
        "result": "created",
        "sentiment": "bad",
        "flagged": True,
        "triage_group": "priority",
        "causes": ["description_mismatch"],
        "case": None,  # opened by the sweeper just after
    }
    assert (case.order, case.source) == (order, "review")
    assert InboundEvent.objects.filter(kind="review", external_id="R1").count() == 1


@pytest.mark.parametrize("field", ["posted_at", "appended_at"])
def test_a_review_time_ahead_of_our_clock_is_refused(api, field):
    # It stayed first among the "latest" reviews and in "the last 24 h" until its time came.
    ahead = (timezone.now() + timedelta(hours=8)).isoformat()

    response = api.post(URL, review(**{field: ahead, "appended_text": "追评"}))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, "in_future")]
    assert not Review.objects.exists()


def test_a_batch_answers_in_request_order(api):
    body = [review(f"R{i}", rating=1 + i % 5) for i in range(50)]
    response = api.post(URL, body)
    assert [r["external_id"] for r in response.json()["results"]] == [f"R{i}" for i in range(50)]
    assert Review.objects.count() == 50


def test_every_bad_row_is_reported_and_nothing_is_written(api):
    body = [
        review("ok"),
        review("R2", rating=6),
        review("R3", posted_at="2026-11-22T20:00:00"),
        {"rating": 3, "posted_at": "2026-11-22T20:00:00Z"},
        review("R5", images=["ftp://x/1.jpg"]),
        review("R6", likes=-1),
        review("ok"),
        "not an object",
    ]
    response = api.post(URL, body)
    assert response.status_code == 400
    errors = {(e["index"], e["field"], e["code"]) for e in response.json()["errors"]}
    assert errors == {
        (1, "rating", "out_of_range"),
        (2, "posted_at", "naive_datetime"),
        (3, "external_id", "required"),
        (4, "images.0", "invalid_url"),
        (5, "likes", "out_of_range"),
        (6, "external_id", "duplicate"),
        (7, "", "invalid_type"),
    }
    assert Review.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://img.example.com/1/2.jpg", True),
        ("http://img.example.com", True),
        ("HTTPS://img.example.com/a.jpg", True),  # schemes are case-insensitive
        ("https://[2001:db8::1]/a.jpg", True),
        ("https://user:pw@img.example.com:8443/a.jpg?x=1#y", True),
        (" https://img.example.com/a.jpg", True),  # urlsplit strips leading spaces, as it always has here
        ("ftp://img.example.com/a.jpg", False),
        ("https:///a.jpg", False),
        ("https://", False),
        ("https:/img.example.com/a.jpg", False),
        ("//img.example.com/a.jpg", False),
        ("https://" + "a" * 493, False),  # 501 characters
        (12, False),
    ],
)
def test_image_addresses_are_http_urls_of_at_most_500_characters(api, url, valid):
    response = api.post(URL, review(images=["https://img.example.com/ok.jpg", url]))
    if valid:
        assert response.status_code == 200 and Review.objects.get().images[1] == url
    else:
        assert response.status_code == 400
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("images.1", "invalid_url")]


def test_reposting_with_a_new_rating_updates_and_records_the_revision(api):
    api.post(URL, review(rating=2, text="物流慢"))
    response = api.post(URL, review(rating=4, text="物流慢", appended_text="后来客服联系了,态度很好"))
    assert response.json()["results"][0]["result"] == "updated"
    stored = Review.objects.get()
    assert (stored.rating, stored.original_rating, stored.appended_text) == (4, 2, "后来客服联系了,态度很好")
    assert stored.revisions.count() == 1


def test_idempotency_key_replays_the_first_answer(api):
    first = api.post(URL, review(), **{"Idempotency-Key": "k1"})
    again = api.post(URL, review(), **{"Idempotency-Key": "k1"})
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert api.post(URL, review(rating=1), **{"Idempotency-Key": "k1"}).status_code == 422


def test_without_a_key_401_and_another_stores_code_is_refused(api, store):
    assert Api(Client(), None).post(URL, review()).status_code == 401
    StoreFactory(code="tea-jd")
    response = api.post(URL, review(store="tea-jd"))
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "unknown_store"
    assert not Review.objects.exists()


def test_another_stores_order_number_matches_nothing(api, store):
    other = StoreFactory(code="tea-jd")
    OrderFactory(store=other, customer__store=other, external_id="JD-9")
    api.post(URL, review(rating=1, order="JD-9"))
    stored = Review.objects.get()
    assert (stored.order, stored.suspected_malicious, stored.case) == (None, True, None)


def test_malformed_bodies_are_4xx_not_5xx(api):
    assert api.post(URL, b"{nope").status_code == 400
    assert api.post(URL, review(), content_type="text/plain").status_code == 415
    assert api.post(URL, [review(f"R{i}") for i in range(1001)]).status_code == 400
    assert api.post(URL, review(text=["not", "text"])).status_code == 400
