"""Two clicks, or two agents, at once on a review's writes: nothing doubled, nothing half-written, never a 500."""

from datetime import UTC, datetime

import pytest
import time_machine

from crm.models import CaseEvent, CaseEvidence
from reviews.models import PlatformComplaint, Review, ReviewReply
from reviews.services.bad_review import evidence_attach_review_images
from reviews.services.cases import review_open_case, reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from reviews.services.platform_complaint import platform_complaint_record
from reviews.services.public_reply import reply_edit
from tests.factories import AgentFactory, OrderFactory, StoreFactory
from tests.locking import overlapping

pytestmark = pytest.mark.django_db(transaction=True)
POSTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _review(rating=1, **kwargs) -> Review:
    store = StoreFactory()
    AgentFactory(stores=[store])
    order = OrderFactory(store=store, customer__store=store)
    row = ReviewIn(external_id="R1", rating=rating, posted_at=POSTED, text="有裂纹", order=order.external_id, **kwargs)
    reviews_ingest(store=store, rows=[row])
    return Review.objects.get()


def test_two_clicks_on_open_a_case_open_one_case_with_one_opening_on_its_timeline():
    review = _review(rating=5)  # a 5-star review a monitor flagged: its case is opened by hand
    again = Review.objects.get()  # the second click's page, loaded before the first opened the case

    waited = overlapping(lambda: review_open_case(review=review), lambda: review_open_case(review=again))

    assert waited
    case = Review.objects.get().case
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.OPENED]


def test_open_a_case_while_the_sweeper_opens_it_leaves_one_opening():
    review = _review()

    overlapping(lambda: reviews_open_cases(), lambda: review_open_case(review=review))

    case = Review.objects.get().case
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.OPENED]


def test_two_clicks_on_record_the_complaint_record_one_complaint_and_never_fail():
    review = _review()  # a suspected malicious review in real life; any review can carry the complaint

    def record():
        platform_complaint_record(review=review, actor=None, platform_reference="TM-APPEAL-1", outcome="pending")

    overlapping(record, record)

    assert PlatformComplaint.objects.get().platform_reference == "TM-APPEAL-1"


def test_two_clicks_on_attach_the_reviews_photos_attach_each_photo_once():
    review = _review(images=["https://img.example.com/1.jpg", "https://img.example.com/2.jpg"])
    reviews_open_cases()
    review = Review.objects.select_related("case").get()

    overlapping(
        lambda: evidence_attach_review_images(review=review, actor=None),
        lambda: evidence_attach_review_images(review=review, actor=None),
    )

    assert sorted(CaseEvidence.objects.values_list("url", flat=True)) == [
        "https://img.example.com/1.jpg",
        "https://img.example.com/2.jpg",
    ]


# Replied to within Tmall's 30 days of the review (POSTED), whatever day the test is run on.
@time_machine.travel(datetime(2026, 11, 23, 4, 0, tzinfo=UTC), tick=True)
@pytest.mark.parametrize("posted", [True, False])
def test_two_clicks_on_save_reply_for_a_review_without_a_draft_save_one_reply_and_never_fail(posted):
    # No draft: every variant the templates make was used recently (reviews.replies.compose), so the agent writes one.
    review = _review()
    ReviewReply.objects.all().delete()
    agent = AgentFactory(stores=[review.store])
    text = "您好,手镯出现裂纹是我们的责任,客服会联系您换新,运费由我们承担。"

    def save():
        reply_edit(review=review, text=text, actor=agent.user, posted=posted, based_on="none")

    overlapping(save, save)

    reply = ReviewReply.objects.get()
    assert (reply.text, reply.status) == (text, "posted" if posted else "draft")
