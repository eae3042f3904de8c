"""POST /api/v1/reviews under repeats and out-of-order delivery: the stored review ends at the platform's newest
version (by the platform's own times), a delayed older version never undoes a newer one nor opens, re-opens or
doubles a case, and every version pushed is kept in the inbound log as it came, once (docs/api.md)."""

import json

import pytest

from crm.models import Case, CaseEvent, InboundEvent
from reviews.models import Review, ReviewRevision
from reviews.services.cases import reviews_open_cases
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/reviews"
POSTED = "2026-11-22T20:00:00+08:00"


def review(external_id="R1", **fields):
    return {"external_id": external_id, "order": "TM-1", "posted_at": POSTED, **fields}


@pytest.fixture
def store():
    store = StoreFactory(code="silk-tmall")
    OrderFactory(store=store, customer__store=store, external_id="TM-1")
    return store


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_delayed_push_of_the_old_one_star_version_does_not_undo_the_customers_raise(api):
    one_star = review(rating=1, text="质量差,用了两天就坏了")
    four_stars = review(
        rating=4, text="质量差,用了两天就坏了", appended_text="客服给换了新的", updated_at="2026-11-25T10:00:00+08:00"
    )
    _results(api.post(URL, one_star))
    assert reviews_open_cases() == 1
    case = Case.objects.get()
    _results(api.post(URL, four_stars))

    [late] = _results(api.post(URL, {**one_star, "likes": 2}))  # the platform's delayed copy of the first version

    assert (late["result"], late["sentiment"], late["case"]) == ("stale", "good", case.pk)
    stored = Review.objects.get()
    assert (stored.rating, stored.sentiment, stored.appended_text, stored.likes) == (4, "good", "客服给换了新的", 0)
    assert [(r.old_rating, r.new_rating) for r in ReviewRevision.objects.all()] == [(1, 4)]
    assert CaseEvent.objects.filter(kind="review_changed").count() == 1
    assert reviews_open_cases() == 0 and Case.objects.count() == 1
    # Every version as it came, the late one included (it differs from the first by its likes).
    assert InboundEvent.objects.filter(kind="review", external_id="R1").count() == 3


def test_an_identical_late_copy_is_answered_stale_and_logged_once_as_every_endpoint_logs_a_repeat(api):
    # The inbound log keeps each distinct payload of an object once, when it first came (ADR 0013, as for orders,
    # deliveries and shipments): a copy identical to one logged changes nothing here either, so the log still
    # explains the review: both versions are in it, and the newer one is stored.
    one_star = review(rating=1, text="质量差")
    _results(api.post(URL, one_star))
    _results(api.post(URL, review(rating=4, text="质量差", updated_at="2026-11-25T10:00:00+08:00")))
    logged = list(InboundEvent.objects.filter(kind="review").values_list("id", "received_at"))

    [late] = _results(api.post(URL, dict(reversed(one_star.items()))))  # its keys in another order: the same copy

    assert late["result"] == "stale"
    assert Review.objects.get().rating == 4
    assert list(InboundEvent.objects.filter(kind="review").values_list("id", "received_at")) == logged
    ratings = sorted(json.loads(e.payload)["rating"] for e in InboundEvent.objects.filter(kind="review"))
    assert ratings == [1, 4]


def test_without_a_change_time_a_lower_rating_at_the_same_time_is_the_older_version(api):
    # A connector that sends no updated_at: both versions carry the review's posting time. Platforms let a buyer
    # raise a mid or bad rating, never lower one, so the 1-star copy is the older one.
    _results(api.post(URL, review(rating=1, text="色差大")))
    reviews_open_cases()
    _results(api.post(URL, review(rating=5, text="色差大")))

    [late] = _results(api.post(URL, review(rating=1, text="色差大")))

    assert late["result"] == "stale"
    assert Review.objects.get().rating == 5
    assert ReviewRevision.objects.count() == 1


def test_the_older_version_arriving_second_opens_no_case_and_is_the_original_rating(api):
    _results(api.post(URL, review(rating=4, text="还行", updated_at="2026-11-24T09:00:00+08:00")))

    [late] = _results(api.post(URL, review(rating=1, text="不好")))

    assert late["result"] == "stale"
    assert reviews_open_cases() == 0 and not Case.objects.exists()
    stored = Review.objects.get()
    assert (stored.rating, stored.text, stored.original_rating) == (4, "还行", 1)
    assert not stored.revisions.exists()


def test_an_appended_review_arriving_before_its_original_keeps_the_appended_version(api):
    appended = review(
        rating=3, text="做工粗糙", appended_text="联系客服后给补发了配件", appended_at="2026-11-26T12:00:00+08:00"
    )
    [first] = _results(api.post(URL, appended))
    [original] = _results(api.post(URL, review(rating=1, text="做工粗糙")))

    assert (first["result"], original["result"]) == ("created", "stale")
    stored = Review.objects.get()
    assert (stored.rating, stored.appended_text) == (3, "联系客服后给补发了配件")
    assert not stored.revisions.exists()


def test_a_newer_version_still_applies_and_is_a_revision(api):
    _results(api.post(URL, review(rating=2, text="物流慢")))
    reviews_open_cases()
    [newer] = _results(api.post(URL, review(rating=1, text="物流慢,还摔坏了", updated_at="2026-11-23T08:00:00Z")))

    assert newer["result"] == "updated"
    assert Review.objects.get().rating == 1
    assert ReviewRevision.objects.get().new_rating == 1


def test_the_same_push_twice_changes_nothing_and_is_logged_once(api):
    body = review(rating=1, text="质量差")
    _results(api.post(URL, body))
    reviews_open_cases()
    [again] = _results(api.post(URL, body))

    assert again["result"] == "updated"
    assert Case.objects.count() == 1 and not ReviewRevision.objects.exists()
    assert not CaseEvent.objects.filter(kind="review_changed").exists()
    assert InboundEvent.objects.filter(kind="review").count() == 1


def test_a_change_time_before_the_posting_is_refused_naming_the_field(api):
    response = api.post(URL, review(rating=4, updated_at="2026-11-21T20:00:00+08:00"))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("updated_at", "before_posted")]
    assert not Review.objects.exists()


def test_an_appended_text_sent_again_without_its_time_keeps_the_time_first_heard(api):
    body = review(rating=2, text="物流慢", appended_text="追评:客服一直没回")
    _results(api.post(URL, body))
    first = Review.objects.get()

    _results(api.post(URL, body))

    again = Review.objects.get()
    assert (again.appended_at, again.updated_at) == (first.appended_at, first.updated_at)


def test_a_later_push_that_leaves_fields_out_keeps_what_is_stored(api):
    full = review(
        rating=2,
        text="手镯有裂纹",
        product="和田玉手镯",
        sku="JADE-01",
        buyer="tb_lin",
        images=["https://img.example.com/1.jpg"],
        likes=4,
    )
    _results(api.post(URL, full))
    reviews_open_cases()
    case = Case.objects.get()
    # A connector telling only what changed: the appended review.
    appended = {
        "external_id": "R1",
        "rating": 2,
        "posted_at": POSTED,
        "appended_text": "客服联系了,还在处理",
        "appended_at": "2026-11-24T10:00:00+08:00",
    }

    [answer] = _results(api.post(URL, appended))

    stored = Review.objects.get()
    assert (answer["result"], answer["case"]) == ("updated", case.pk)
    assert (stored.order_ref, stored.order_id, stored.customer_id, stored.case_id) == (
        "TM-1",
        case.order_id,
        case.customer_id,
        case.pk,
    )
    assert (stored.text, stored.product, stored.sku, stored.buyer) == ("手镯有裂纹", "和田玉手镯", "JADE-01", "tb_lin")
    assert (stored.images, stored.likes) == (["https://img.example.com/1.jpg"], 4)
    assert not stored.suspected_malicious and "no_matching_order" not in stored.triage_reasons
    assert stored.appended_text == "客服联系了,还在处理"


def test_an_original_arriving_after_an_appended_push_that_left_its_text_out_fills_the_text_in(api):
    # A connector that sends only what changed: the appended review (id, rating, time, appended text) came first,
    # the review as first posted, with its text, product and order, after it.
    appended = {"external_id": "R1", "rating": 2, "posted_at": POSTED, "appended_text": "追评:联系客服三天了没人回",
                "appended_at": "2026-11-26T12:00:00+08:00"}  # fmt: skip
    [first] = _results(api.post(URL, appended))
    assert Review.objects.get().text == ""

    [original] = _results(api.post(URL, review(rating=2, text="围巾开线了,质量太差", product="真丝围巾")))

    assert (first["result"], original["result"]) == ("created", "stale")  # older: it changes no version
    stored = Review.objects.get()
    assert (stored.text, stored.product, stored.order_ref) == ("围巾开线了,质量太差", "真丝围巾", "TM-1")
    assert stored.appended_text == "追评:联系客服三天了没人回" and stored.rating == 2
    assert stored.order is not None and "quality" in stored.causes and original["causes"] == stored.causes
    assert not stored.revisions.exists()
    assert not stored.suspected_malicious and stored.reply.drafted_at > stored.created_at  # drafted again
    assert reviews_open_cases() == 1


def test_an_older_version_never_overwrites_what_the_stored_one_says(api):
    _results(api.post(URL, review(rating=3, text="还行", product="真丝围巾", updated_at="2026-11-24T09:00:00+08:00")))

    [late] = _results(api.post(URL, review(rating=1, text="不好", product="围巾", sku="S-1")))

    assert late["result"] == "stale"
    stored = Review.objects.get()
    assert (stored.text, stored.product, stored.sku) == ("还行", "真丝围巾", "S-1")  # only the blank is filled


@pytest.mark.parametrize("arrival", [(0, 2, 1), (1, 0, 2), (2, 1, 0), (1, 2, 0)])
def test_a_rating_changed_twice_ends_at_the_last_change_whatever_order_the_pushes_come_in(api, arrival):
    # 1 star as posted, raised to 2 a day later, then to 4: three versions, delivered in any order.
    versions = [
        review(rating=1, text="做工差"),
        review(rating=2, text="做工差", updated_at="2026-11-23T20:00:00+08:00"),
        review(rating=4, text="做工差", appended_text="客服换了新的", updated_at="2026-11-24T20:00:00+08:00"),
    ]
    for index in arrival:
        _results(api.post(URL, versions[index]))
        reviews_open_cases()

    stored = Review.objects.get()
    assert (stored.rating, stored.appended_text, stored.original_rating) == (4, "客服换了新的", 1)
    assert all(r.new_rating > r.old_rating for r in stored.revisions.all())  # never lowered on the way
    assert Case.objects.count() == (1 if arrival[0] != 2 else 0)  # none when the 4 stars came first
