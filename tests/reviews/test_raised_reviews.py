"""A customer who raises a mid or bad review to good while its case is open: the case stays open for the agent to
decide, and every page that shows the review or its case says so."""

from datetime import UTC, datetime, timedelta

import pytest

from crm.models import CaseEvent, CaseStep
from crm.services.cases import case_add_event
from reviews.models import Review
from reviews.services.bad_review import Step
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
POSTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _push(store, order, rating, **kwargs):
    row = ReviewIn(
        external_id="R1", rating=rating, posted_at=POSTED, text="手镯有裂纹,质量差", order=order.external_id, **kwargs
    )
    reviews_ingest(store=store, rows=[row])
    return Review.objects.get(external_id="R1")


@pytest.fixture
def raised(store, agent):
    """A 1-star review whose case the agent called about, then raised by the customer to 4 stars."""
    order = OrderFactory(store=store, customer__store=store)
    _push(store, order, 1)
    reviews_open_cases()
    review = Review.objects.get()
    case_add_event(case=review.case, kind=CaseEvent.Kind.CALL, actor=agent.user, message="已致歉")
    return _push(store, order, 4, updated_at=POSTED + timedelta(days=2))


def test_a_review_raised_to_good_stays_on_the_flagged_patrol_while_it_has_a_case(client, agent, raised):
    assert raised.flagged and raised.case.is_open
    client.force_login(agent.user)

    patrol = client.get("/reviews/").content.decode()

    assert 'data-testid="review-R1"' in patrol


def test_the_review_page_and_the_case_page_say_the_customer_raised_it_and_the_case_is_still_open(client, agent, raised):
    client.force_login(agent.user)

    review_page = client.get(f"/reviews/{raised.pk}/").content.decode()
    case_page = client.get(f"/cases/{raised.case_id}/").content.decode()

    for page in (review_page, case_page):
        assert 'data-testid="raised"' in page
        assert "The customer raised the review from ★1 to ★4" in page
        assert "after our contact" in page


def test_a_call_on_the_open_case_of_a_raised_review_still_ticks_the_apology_step(store, agent):
    order = OrderFactory(store=store, customer__store=store)
    _push(store, order, 2)
    reviews_open_cases()
    review = _push(store, order, 5, updated_at=POSTED + timedelta(days=1))  # raised before anyone called

    case_add_event(case=review.case, kind=CaseEvent.Kind.CALL, actor=agent.user, message="已致歉")

    assert CaseStep.objects.filter(case=review.case, step=Step.APOLOGY_CALL).exists()


def test_the_notice_reads_in_chinese_for_agents(client, agent, raised):
    client.force_login(agent.user)

    page = client.get(f"/reviews/{raised.pk}/", headers={"accept-language": "zh-hans"}).text

    assert "在我们联系之后，顾客把评价从★1改为★4。" in page and "工单不会自动关闭" in page
