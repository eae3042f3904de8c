from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from crm.models import Case, CaseEvent
from crm.services.cases import case_add_event
from reviews.models import KeywordMonitor, Review, ReviewPolicy, ReviewReply
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, OrderFactory, StoreFactory
from tests.query_plans import scans_of

pytestmark = pytest.mark.django_db
POSTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def row(external_id="R1", rating=5, text="很好", **kwargs) -> ReviewIn:
    return ReviewIn(external_id=external_id, rating=rating, posted_at=POSTED, text=text, **kwargs)


def test_sentiment_follows_the_rating():
    store = StoreFactory()
    reviews_ingest(store=store, rows=[row("a", 5), row("b", 4), row("c", 3), row("d", 2), row("e", 1)])
    assert dict(Review.objects.values_list("external_id", "sentiment")) == {
        "a": "good",
        "b": "good",
        "c": "mid",
        "d": "bad",
        "e": "bad",
    }


def test_bad_review_on_our_order_is_flagged_classified_triaged_and_opens_a_case():
    store = StoreFactory()
    agent = AgentFactory(stores=[store])
    order = OrderFactory(store=store, customer__store=store, total_amount=Decimal("3888.00"))
    text = "颜色和图片完全不一样,色差太大"
    [result] = reviews_ingest(store=store, rows=[row("R1", 1, text, order=order.external_id)])
    assert Review.objects.get().case is None  # the sweeper opens it, just after intake
    assert reviews_open_cases() == 1 and reviews_open_cases() == 0
    review = Review.objects.get()
    assert (review.flagged, review.sentiment, review.causes) == (True, "bad", ["description_mismatch"])
    assert "色差" in review.cause_evidence["description_mismatch"]
    assert review.triage_group == Case.TriageGroup.PRIORITY and "high_value" in review.triage_reasons
    case = review.case
    assert (case.source, case.customer, case.order, case.assignee) == ("review", order.customer, order, agent)
    assert (case.cause, case.triage_group) == ("description_mismatch", "priority")
    assert case.first_response_due is not None
    assert result == {
        "external_id": "R1",
        "id": review.pk,
        "result": "created",
        "sentiment": "bad",
        "flagged": True,
        "triage_group": "priority",
        "causes": ["description_mismatch"],
        "case": None,
    }


def test_a_second_bad_review_on_the_same_order_joins_the_open_case():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(store=store, rows=[row("R1", 2, "物流太慢", order=order.external_id)])
    reviews_open_cases()
    reviews_ingest(store=store, rows=[row("R2", 1, "客服态度差", order=order.external_id)])
    reviews_open_cases()
    assert Case.objects.count() == 1
    assert {r.case_id for r in Review.objects.all()} == {Case.objects.get().pk}


def test_keyword_monitor_flags_a_five_star_review_without_opening_a_case():
    store = StoreFactory()
    KeywordMonitor.objects.create(store=store, phrase="假货")
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(store=store, rows=[row("R1", 5, "朋友说是假货,我觉得还好", order=order.external_id)])
    assert reviews_open_cases() == 0
    review = Review.objects.get()
    assert (review.flagged, review.monitor_hits, review.triage_group) == (True, ["假货"], "normal")
    assert review.case is None


def test_good_review_is_not_flagged_nor_triaged_but_gets_a_reply_draft():
    store = StoreFactory()
    reviews_ingest(store=store, rows=[row("R1", 5, "非常满意", product="真丝围巾")])
    review = Review.objects.get()
    assert (review.flagged, review.triage_group, review.case) == (False, "", None)
    assert review.reply.status == "draft" and review.reply.text


@pytest.mark.parametrize(
    ("text", "reason"),
    [("再不处理我就投诉到12315", "threat"), ("别家同款更便宜,加微信有优惠", "competitor_marker")],
)
def test_threats_and_competitor_markers_are_difficult_disputes(text, reason):
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(store=store, rows=[row("R1", 1, text, order=order.external_id)])
    reviews_open_cases()
    review = Review.objects.get()
    assert review.triage_group == "difficult" and reason in review.triage_reasons
    assert review.case.triage_group == "difficult"


def test_bad_review_matching_no_order_is_a_suspected_malicious_difficult_dispute():
    store = StoreFactory()
    reviews_ingest(store=store, rows=[row("R1", 1, "垃圾", order="NO-SUCH-ORDER")])
    assert reviews_open_cases() == 0
    review = Review.objects.get()
    assert (review.triage_group, review.suspected_malicious, review.order_ref) == ("difficult", True, "NO-SUCH-ORDER")
    assert "no_matching_order" in review.triage_reasons and review.case is None


def test_repeat_complainer_is_a_difficult_dispute():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    other = OrderFactory(store=store, customer=order.customer)
    ReviewPolicy.objects.create(store=store, repeat_complaints=2)
    reviews_ingest(store=store, rows=[row("R1", 2, "质量差", order=order.external_id)])
    reviews_open_cases()
    reviews_ingest(store=store, rows=[row("R2", 3, "一般", order=other.external_id)])
    reviews_ingest(store=store, rows=[row("R3", 1, "又坏了", order=other.external_id)])
    assert Review.objects.get(external_id="R2").triage_group == "normal"
    assert "repeat_complainer" in Review.objects.get(external_id="R3").triage_reasons


def test_a_reposted_review_is_not_its_own_earlier_complaint():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    other = OrderFactory(store=store, customer=order.customer)
    ReviewPolicy.objects.create(store=store, repeat_complaints=2)
    reviews_ingest(store=store, rows=[row("R1", 2, "质量差", order=order.external_id)])
    reviews_ingest(store=store, rows=[row("R2", 1, "又坏了", order=other.external_id)])
    assert "repeat_complainer" not in Review.objects.get(external_id="R2").triage_reasons
    # The text changes, so R2 is triaged again: R1 is its only earlier complaint, as before.
    reviews_ingest(store=store, rows=[row("R2", 1, "又坏了,质量差", order=other.external_id)])
    assert "repeat_complainer" not in Review.objects.get(external_id="R2").triage_reasons
    reviews_ingest(store=store, rows=[row("R3", 1, "第三次了", order=order.external_id)])
    assert "repeat_complainer" in Review.objects.get(external_id="R3").triage_reasons


def test_main_products_many_likes_and_images_make_a_bad_review_priority():
    store = StoreFactory()
    ReviewPolicy.objects.create(
        store=store, main_skus=["SILK-01"], many_likes=10, many_images=2, high_value_amount=Decimal("9999")
    )
    order = OrderFactory(store=store, customer__store=store, total_amount=Decimal("100"))
    reviews_ingest(
        store=store,
        rows=[
            row("a", 1, "质量差", order=order.external_id, sku="SILK-01"),
            row("b", 1, "质量差", order=order.external_id, likes=10),
            row("c", 1, "质量差", order=order.external_id, images=["https://img/1.jpg", "https://img/2.jpg"]),
            row("d", 1, "质量差", order=order.external_id),
        ],
    )
    groups = {r.external_id: (r.triage_group, r.triage_reasons) for r in Review.objects.all()}
    assert groups["a"] == ("priority", ["main_product"])
    assert groups["b"] == ("priority", ["many_likes"])
    assert groups["c"] == ("priority", ["many_images"])
    assert groups["d"] == ("normal", [])


def test_reposting_the_same_review_changes_nothing():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    batch = [row("R1", 1, "质量差", order=order.external_id), row("R2", 5, "好")]
    first = reviews_ingest(store=store, rows=batch)
    reviews_open_cases()
    stamps = dict(Review.objects.values_list("external_id", "updated_at"))
    replies = dict(ReviewReply.objects.values_list("review__external_id", "text"))
    second = reviews_ingest(store=store, rows=batch)
    assert [r["result"] for r in second] == ["updated", "updated"]
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert dict(Review.objects.values_list("external_id", "updated_at")) == stamps
    assert dict(ReviewReply.objects.values_list("review__external_id", "text")) == replies
    assert Case.objects.count() == 1 and CaseEvent.objects.filter(kind="review_changed").count() == 0


def test_revision_after_our_call_counts_as_revised_after_contact():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(store=store, rows=[row("R1", 1, "质量差", order=order.external_id)])
    reviews_open_cases()
    review = Review.objects.get()
    case_add_event(case=review.case, kind=CaseEvent.Kind.CALL, message="apology call")
    reviews_ingest(
        store=store,
        rows=[row("R1", 4, "质量差", order=order.external_id, appended_text="客服主动联系换了新的,很负责")],
    )
    review.refresh_from_db()
    assert (review.rating, review.original_rating, review.sentiment) == (4, 1, "good")
    assert review.revised_after_contact
    [revision] = review.revisions.all()
    assert (revision.old_rating, revision.new_rating, revision.after_contact) == (1, 4, True)
    assert review.case.events.filter(kind="review_changed").count() == 1


def test_revision_without_contact_is_recorded_but_not_counted_as_after_contact():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(store=store, rows=[row("R1", 2, "物流慢", order=order.external_id)])
    reviews_open_cases()
    reviews_ingest(store=store, rows=[row("R1", 3, "物流慢", order=order.external_id)])
    review = Review.objects.get()
    assert not review.revised_after_contact
    assert review.revisions.get().after_contact is False


def test_other_stores_reviews_are_separate():
    first, second = StoreFactory(), StoreFactory()
    reviews_ingest(store=first, rows=[row("R1", 5)])
    reviews_ingest(store=second, rows=[row("R1", 1)])
    assert Review.objects.filter(external_id="R1").count() == 2


def test_a_review_revised_to_good_before_the_sweep_gets_no_case():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(store=store, rows=[row("R1", 2, "物流慢", order=order.external_id)])
    reviews_ingest(store=store, rows=[row("R1", 5, "物流慢", order=order.external_id)])
    assert reviews_open_cases() == 0 and not Case.objects.exists()


def _copies_of_one_review(store, prefix: str, count: int) -> None:
    """`count` reviews of `store` keyed prefix1 .. prefix<count>, written by PostgreSQL itself (a review the ORM
    wrote, copied under new keys, so every column is filled as the model fills it)."""
    template = Review.objects.create(
        store=store,
        external_id=f"{prefix}0",
        rating=5,
        sentiment="good",
        posted_at=POSTED,
        text="质量很好，物流很快" * 3,
    )
    columns = ", ".join(f.column for f in Review._meta.concrete_fields if f.column not in {"id", "external_id"})
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO reviews_review (external_id, {columns}) SELECT %s || n, {columns} "  # noqa: S608
            "FROM reviews_review, generate_series(1, %s) AS n WHERE id = %s",
            [prefix, count, template.pk],
        )


@pytest.mark.django_db(transaction=True)
def test_a_batch_finds_its_stored_reviews_through_the_unique_index_not_by_reading_every_store():
    # 62,000 reviews over five stores, statistics taken as autovacuum would. Compared with an array
    # (`= ANY(array)`), a batch of 1,000 keys was looked up by reading every review of its store (a bitmap scan of
    # 31,000 rows here) or of all five (a sequential scan), until the table held ~100,000; through the
    # (store, external_id) unique index it takes one probe a key (crm.bulk.lookups).
    stores = [StoreFactory() for _ in range(5)]
    for store, count in zip(stores, [31_000, 12_400, 9_300, 6_200, 3_100], strict=True):
        _copies_of_one_review(store, f"R{store.pk}-", count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_review")
    big = stores[0]
    stored = {f"R{big.pk}-{n}" for n in range(1, 1001, 2)}
    batch = [row(key) for key in sorted(stored | {f"new-{n}" for n in range(500)})]
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            # PostgreSQL's default costs, whatever the server was tuned to: the plan is the planner's choice at those.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")
                cursor.execute("SET LOCAL effective_cache_size = '4GB'")
                cursor.execute("SELECT pg_backend_pid()")
                [ours] = cursor.fetchone()
            with CaptureQueriesContext(connection) as queries:
                results = reviews_ingest(store=big, rows=batch)
            [lookup] = [q["sql"] for q in queries if 'FOR UPDATE OF "reviews_review"' in q["sql"]]
            scans = scans_of(lookup, "reviews_review")
            # Until the batch commits, its stored reviews are locked and its keys held, for every other writer.
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM (SELECT id FROM reviews_review WHERE store_id = %s AND external_id = ANY(%s) "
                    "FOR UPDATE SKIP LOCKED) free",
                    [big.pk, sorted(stored)],
                )
                assert cursor.fetchone()[0] == 0
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s", [ours])
                assert cursor.fetchone()[0] == len(batch)
    finally:
        other.close()
    assert {r["external_id"] for r in results if r["result"] == "updated"} == stored
    assert scans == {("Index Scan", "review_unique_per_store")}
