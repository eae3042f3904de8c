"""A customer who lowers a review (3 stars → 1 star a week later) or complains again after its case was closed: the
case stays closed (ADR 0032), and the store's manager sees the review on the escalations page until someone
reopens the case."""

from datetime import UTC, datetime, timedelta

import pytest

from crm.services.cases import case_close, case_reopen
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
POSTED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
URL = "/manager/escalations/"


def _push(store, rating, *, days=0, appended_text=""):
    row = ReviewIn(
        external_id="R1", rating=rating, posted_at=POSTED, text="颜色和图片不一样", order="TM-1",
        updated_at=POSTED + timedelta(days=days), appended_text=appended_text,
    )  # fmt: skip
    reviews_ingest(store=store, rows=[row])
    return Review.objects.get(store=store, external_id="R1")


@pytest.fixture
def closed(store):
    """A 3-star review whose case an agent worked and closed."""
    OrderFactory(store=store, customer__store=store, customer__name="林女士", external_id="TM-1")
    _push(store, 3)
    reviews_open_cases()
    review = Review.objects.get()
    case_close(case=review.case, root_cause="listing")
    return review


def _section(page: str) -> str:
    return page.split('data-testid="reviews-after-close"')[1].split("</section>")[0]


def test_a_rating_lowered_after_the_case_closed_is_on_the_managers_escalations_page(client, store, closed):
    manager = ManagerFactory(stores=[store])
    other_manager = ManagerFactory(stores=[StoreFactory()])
    client.force_login(manager.user)
    assert "林女士" not in _section(client.get(URL).text)

    review = _push(store, 1, days=7)

    assert not review.case.is_open  # told to the case, never reopened by it (ADR 0032)
    section = _section(client.get(URL).text)
    assert "林女士" in section and "★3 → ★1" in section
    assert f"/reviews/{review.pk}/" in section and f"/cases/{review.case_id}/" in section
    client.force_login(other_manager.user)
    assert "林女士" not in client.get(URL).text


def test_a_complaint_appended_after_the_close_is_listed_until_the_case_is_reopened(client, store, closed):
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    review = _push(store, 3, days=7, appended_text="换货后还是色差,很失望")
    assert "很失望" in _section(client.get(URL).text)

    case_reopen(case=review.case, reason="顾客追评仍不满意")

    assert "林女士" not in _section(client.get(URL).text)


def test_a_review_raised_to_good_after_the_close_is_not_listed(client, store, closed):
    client.force_login(ManagerFactory(stores=[store]).user)

    _push(store, 5, days=7, appended_text="客服后来补发了,满意")

    assert "林女士" not in _section(client.get(URL).text)
