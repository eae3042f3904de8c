from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from reviews.errors import DuplicateReply
from reviews.models import ReplyTemplate, Review, ReviewReply
from reviews.replies import fingerprint, recent_replies, repeats_in_recent_window
from reviews.services.intake import ReviewIn, reviews_ingest
from reviews.services.public_reply import reply_edit, reply_redraft
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _posted() -> datetime:
    """Two days before now, read as the test runs (not at import): within every platform's reply window (Tmall's
    30 days, reviews.replies.REPLY_WINDOW)."""
    return datetime.now(UTC) - timedelta(days=2)


def _ingest(store, count, *, rating=5, text="很满意", start=0):
    rows = [
        ReviewIn(external_id=f"R{i}", rating=rating, posted_at=_posted(), text=text, product="真丝围巾")
        for i in range(start, start + count)
    ]
    reviews_ingest(store=store, rows=rows)


def test_no_two_drafts_in_the_store_recent_history_are_identical():
    store = StoreFactory()
    _ingest(store, 300)
    _ingest(store, 200, start=300)  # a second batch checks against the first
    fingerprints = list(ReviewReply.objects.filter(store=store).values_list("fingerprint", flat=True))
    assert len(fingerprints) == 500 == len(set(fingerprints))
    texts = list(ReviewReply.objects.values_list("text", flat=True))
    assert len({fingerprint(t) for t in texts}) == 500


def test_replies_stay_distinct_within_the_recent_window_across_batches(monkeypatch):
    monkeypatch.setattr("reviews.replies.RECENT_LIMIT", 60)
    store = StoreFactory()
    _ingest(store, 100)
    _ingest(store, 100, start=100)  # the whole batch shares one drafted_at: ties break by id
    assert repeats_in_recent_window(store=store) == 0


def test_the_recent_replies_read_stops_at_the_window_instead_of_sorting_the_store_history(monkeypatch):
    # Every batch was re-reading and sorting the store's whole reply history: 65 ms a batch at 100,000 replies.
    monkeypatch.setattr("reviews.replies.RECENT_LIMIT", 50)
    store = StoreFactory()
    _ingest(store, 600)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_reviewreply")
    plan = recent_replies(store=store).explain()
    assert "reply_store_recent_order" in plan and "Sort" not in plan, plan


def test_bad_review_reply_speaks_to_its_cause_and_never_blames_the_courier():
    store = StoreFactory(name="丝韵旗舰店")
    order = OrderFactory(store=store, customer__store=store)  # ours: not a suspected malicious review
    reviews_ingest(
        store=store,
        rows=[
            ReviewIn(
                external_id="R1", rating=1, posted_at=_posted(), text="物流太慢了,等了十天", order=order.external_id
            )
        ],
    )
    reply = ReviewReply.objects.get().text
    assert "快递员" not in reply and "物流公司" not in reply
    assert any(word in reply for word in ("等", "配送", "包装", "发货", "包裹"))


def test_english_review_gets_an_english_reply():
    store = StoreFactory()
    reviews_ingest(store=store, rows=[ReviewIn(external_id="R1", rating=5, posted_at=_posted(), text="Lovely scarf")])
    assert ReviewReply.objects.get().text.isascii()


def test_store_templates_are_its_voice():
    store = StoreFactory()
    for part, text in [("opening", "您好呀,"), ("body", "小店的{product}谢谢您喜欢。"), ("closing", "—— 丝韵")]:
        ReplyTemplate.objects.create(store=store, part=part, sentiment="good", text=text)
    _ingest(store, 1)
    assert ReviewReply.objects.get().text == "您好呀,小店的真丝围巾谢谢您喜欢。—— 丝韵"


def test_a_store_with_one_template_combination_runs_out_and_says_so():
    store = StoreFactory()
    for part, text in [("opening", "您好,"), ("body", "谢谢。"), ("closing", "再见")]:
        ReplyTemplate.objects.create(store=store, part=part, text=text)
    _ingest(store, 2)
    # The second review has no draft rather than a copy of the first one's.
    assert ReviewReply.objects.count() == 1


def test_agent_cannot_post_a_reply_identical_to_a_recent_one():
    store = StoreFactory()
    _ingest(store, 2)
    first, second = ReviewReply.objects.order_by("review__external_id")
    with pytest.raises(DuplicateReply):
        reply_edit(review=second.review, text=first.text + "  ", actor=None)
    reply = reply_edit(review=second.review, text="谢谢您,期待再见!", actor=None, posted=True)
    assert (reply.status, reply.posted_at is not None) == ("posted", True)


def test_a_reply_of_emoji_alone_is_told_apart_from_another_and_from_punctuation():
    # The fingerprint drops what is not a word: emoji-only and punctuation-only replies all came out the same (the
    # hash of nothing), so a store's "🙏" refused a later "👍" as the same reply.
    store = StoreFactory()
    _ingest(store, 3)
    first, second, third = (r.review for r in ReviewReply.objects.order_by("review__external_id"))
    reply_edit(review=first, text="🙏", actor=None)
    assert reply_edit(review=second, text="👍👍", actor=None).text == "👍👍"
    with pytest.raises(DuplicateReply):
        reply_edit(review=third, text=" 👍 👍 ", actor=None)
    assert reply_edit(review=third, text="!!!", actor=None).text == "!!!"


def test_redraft_gives_a_different_reply():
    store = StoreFactory()
    _ingest(store, 1)
    before = ReviewReply.objects.get()
    after = reply_redraft(review=before.review)
    assert after.fingerprint != before.fingerprint and after.pk == before.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_for_one_store_never_draft_the_same_reply(monkeypatch):
    import threading

    from django.db import connection

    monkeypatch.setattr("reviews.replies.RECENT_LIMIT", 500)
    store = StoreFactory()
    barrier = threading.Barrier(2)

    def batch(start):
        barrier.wait()
        try:
            _ingest(store, 80, start=start)
        finally:
            connection.close()

    threads = [threading.Thread(target=batch, args=(start,)) for start in (0, 1000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ReviewReply.objects.count() == 160
    assert repeats_in_recent_window(store=store) == 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_waited_for_another_comes_after_it_in_the_reply_history():
    # The window "no repeat among the last 500" is read in drafted_at order, so a batch must be stamped when it
    # holds the store's lock (and sees the other's replies), not when it arrived.
    import threading

    from django.db import connection, transaction

    from crm.models import Store
    from tests.locking import wait_until_another_session_waits

    store = StoreFactory()
    locked = threading.Event()

    def earlier_holder():
        try:
            with transaction.atomic():
                Store.objects.select_for_update().get(pk=store.pk)
                locked.set()
                wait_until_another_session_waits()  # the other batch has arrived and waits for the lock
                _ingest(store, 20, start=1000)
        finally:
            connection.close()

    holder = threading.Thread(target=earlier_holder)
    holder.start()
    locked.wait()
    _ingest(store, 20)  # arrives while the lock is held
    holder.join()
    waited = ReviewReply.objects.filter(review__external_id__in=[f"R{i}" for i in range(20)])
    first = ReviewReply.objects.exclude(pk__in=waited.values("pk"))
    assert min(waited.values_list("drafted_at", flat=True)) > max(first.values_list("drafted_at", flat=True))


def test_a_suspected_malicious_review_gets_a_reply_that_never_admits_fault_or_promises_compensation():
    from crm.errors import InvalidInput
    from reviews.models import Review
    from reviews.replies import admits_fault_or_compensation

    store = StoreFactory()
    # No order of ours matches these: suspected malicious, whatever the wording.
    _ingest(store, 12, rating=1, text="质量太差了,别家同款更便宜")
    reviews = list(Review.objects.select_related("reply"))
    assert all(review.suspected_malicious for review in reviews)
    for review in reviews:
        assert not admits_fault_or_compensation(review.reply.text), review.reply.text
        assert not admits_fault_or_compensation(reply_redraft(review=review).text)
    with pytest.raises(InvalidInput):
        reply_edit(review=reviews[0], text="非常抱歉,我们给您退款并补偿一张优惠券", actor=None)
    assert admits_fault_or_compensation("We're truly sorry about this.")  # the ordinary bad-review opening


def test_every_neutral_reply_the_pieces_make_stays_neutral():
    from itertools import product

    from reviews.replies import admits_fault_or_compensation
    from reviews.reply_texts import NEUTRAL

    for lang, pieces in NEUTRAL.items():
        for parts in product(pieces["opening"], pieces["body"], pieces["closing"]):
            assert not admits_fault_or_compensation("".join(parts)), (lang, parts)


def test_a_run_of_suspected_malicious_reviews_each_gets_its_own_neutral_draft():
    """A store hit by a run of fake reviews: each gets a draft, none repeating another of the store's recent ones
    (the neutral pieces once made 48 and the rest of the run got none)."""
    store = StoreFactory()
    _ingest(store, 150, rating=1, text="假货,别买")
    _ingest(store, 150, rating=2, text="质量太差了", start=150)
    fingerprints = list(ReviewReply.objects.filter(store=store).values_list("fingerprint", flat=True))
    assert len(fingerprints) == 300 == len(set(fingerprints))
    assert ReviewReply.objects.filter(store=store, review__suspected_malicious=True).count() == 300


@pytest.mark.parametrize("text", ["质量太差,别家同款更便宜,加微信找我买", "Poor quality, the competitor is cheaper"])
def test_a_suspected_malicious_review_on_one_of_our_orders_never_gets_a_draft_saying_no_order_was_found(text):
    # Suspected for a competitor marker, not for a missing order: the neutral reply must not tell every buyer
    # reading it that the store found no order or purchase, which is false and the customer can prove it.
    from reviews.reply_texts import NO_ORDER_FOUND

    store = StoreFactory()
    rows = []
    for n in range(40):
        order = OrderFactory(store=store, customer__store=store)
        rows.append(ReviewIn(external_id=f"R{n}", rating=1, posted_at=_posted(), text=text, order=order.external_id))
    reviews_ingest(store=store, rows=rows)
    reviews = list(Review.objects.filter(store=store).select_related("reply"))
    assert all(r.suspected_malicious and r.order_id for r in reviews)
    said = [r.reply.text for r in reviews] + [reply_redraft(review=r).text for r in reviews[:10]]
    assert not [t for t in said if any(p in t for pieces in NO_ORDER_FOUND.values() for p in pieces)]


@pytest.mark.parametrize("text", ["质量太差,别家同款更便宜,加微信找我买", "Poor quality, the competitor is cheaper"])
def test_a_suspected_malicious_review_on_one_of_our_orders_is_not_asked_for_its_order_number(text):
    # The store has the order: a public reply asking the buyer for it reads as if the store had not looked.
    from reviews.reply_texts import ASKS_FOR_THE_ORDER

    store = StoreFactory()
    rows = []
    for n in range(40):
        order = OrderFactory(store=store, customer__store=store)
        rows.append(ReviewIn(external_id=f"R{n}", rating=1, posted_at=_posted(), text=text, order=order.external_id))
    reviews_ingest(store=store, rows=rows)
    reviews = list(Review.objects.filter(store=store).select_related("reply"))
    said = [r.reply.text for r in reviews] + [reply_redraft(review=r).text for r in reviews[:10]]
    assert len(said) == 50
    assert not [t for t in said if any(p in t for pieces in ASKS_FOR_THE_ORDER.values() for p in pieces)]
    assert not [t for t in said if "订单号" in t or "order number" in t or "order details" in t]


def test_a_review_matching_none_of_our_orders_may_still_be_asked_for_it():
    from reviews.reply_texts import ASKS_FOR_THE_ORDER

    store = StoreFactory()
    _ingest(store, 60, rating=1, text="假货,别买")
    texts = ReviewReply.objects.filter(store=store).values_list("text", flat=True)
    assert any(p in t for t in texts for p in ASKS_FOR_THE_ORDER["zh"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_neutral_pieces_for_a_review_on_one_of_our_orders_still_make_hundreds_of_replies(lang):
    # A store hit by a run of competitor-marked reviews on its own orders needs a fresh wording for each.
    from math import prod

    from reviews.replies import NEUTRAL, NO_ORDER, Voice

    voice = Voice(store_name="店", own={})
    on_order = prod(len(voice.pieces(part, lang, NEUTRAL, "")) for part in ("opening", "body", "closing"))
    no_order = prod(len(voice.pieces(part, lang, NEUTRAL, NO_ORDER)) for part in ("opening", "body", "closing"))
    assert on_order >= 180 and no_order > on_order


def test_a_review_matching_none_of_our_orders_may_still_be_told_so():
    from reviews.reply_texts import NO_ORDER_FOUND

    store = StoreFactory()
    _ingest(store, 60, rating=1, text="假货,别买")
    texts = ReviewReply.objects.filter(store=store).values_list("text", flat=True)
    assert any(p in t for t in texts for p in NO_ORDER_FOUND["zh"])


def test_every_piece_said_only_without_an_order_is_one_of_the_neutral_pieces():
    # A piece misspelt in the exclusion lists would not be excluded at all.
    from reviews.reply_texts import ASKS_FOR_THE_ORDER, NEUTRAL, NO_ORDER_FOUND

    for lang in ("zh", "en"):
        neutral = {piece for pieces in NEUTRAL[lang].values() for piece in pieces}
        assert ASKS_FOR_THE_ORDER[lang] <= neutral and NO_ORDER_FOUND[lang] <= neutral
