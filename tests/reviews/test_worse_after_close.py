"""A customer who lowers a review (3 stars → 1 star a week later) or complains again after its case was closed: the
case stays closed (ADR 0032), and the store's manager sees the review on the escalations page until someone
reopens the case."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from crm.models import AuditLog
from crm.services.cases import case_close, case_reopen
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

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


def _seen_url(review) -> str:
    return f"/manager/escalations/reviews/{review.pk}/seen/"


def test_a_manager_marks_a_review_seen_once_and_a_later_change_brings_it_back(client, store, closed):
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    review = _push(store, 1, days=7)

    response = client.post(_seen_url(review))

    assert response.status_code == 302 and response["Location"].startswith(URL)
    assert "林女士" not in _section(client.get(URL).text)
    [entry] = AuditLog.objects.filter(action="review_after_close_seen")
    assert (entry.actor, entry.store, entry.target) == (manager.user, store, f"review:{review.pk}")
    assert entry.data == {"case": review.case_id, "review_changes": ["★3 → ★1"]}
    revision = review.revisions.get()
    assert (revision.seen_by, revision.seen_at is not None) == (manager.user, True)

    assert client.post(_seen_url(review)).status_code == 302  # a second click: nothing more
    assert AuditLog.objects.filter(action="review_after_close_seen").count() == 1
    assert review.revisions.get().seen_at == revision.seen_at

    _push(store, 3, days=9, appended_text="还是没人联系我")  # the customer complains again
    assert "还是没人联系我" in _section(client.get(URL).text)
    assert not Review.objects.get(pk=review.pk).case.is_open


def test_marking_seen_a_review_of_another_store_is_not_found_and_changes_nothing(client, store, closed):
    review = _push(store, 1, days=7)
    client.force_login(ManagerFactory(stores=[StoreFactory()]).user)
    assert client.post(_seen_url(review)).status_code == 404
    client.force_login(AgentFactory(stores=[store]).user)  # an agent of the store: not a manager's page
    assert client.post(_seen_url(review)).status_code == 403
    client.force_login(ManagerFactory(stores=[store]).user)
    assert client.get(_seen_url(review)).status_code == 405

    assert not review.revisions.filter(seen_at__isnull=False).exists()
    assert not AuditLog.objects.filter(action="review_after_close_seen").exists()


@pytest.mark.parametrize("code", ["other", "no-such-store"])
def test_marking_seen_with_a_store_filter_the_manager_does_not_serve_is_not_found_and_changes_nothing(
    client, store, closed, code
):
    """The page's `?store=` filter, posted back to return to it: as on every list page, a store not served is a 404
    (it was silently dropped after the review was marked seen)."""
    StoreFactory(code="other")
    review = _push(store, 1, days=7)
    client.force_login(ManagerFactory(stores=[store]).user)

    assert client.post(_seen_url(review), {"store": code}).status_code == 404

    assert not review.revisions.filter(seen_at__isnull=False).exists()
    assert not AuditLog.objects.filter(action="review_after_close_seen").exists()


def test_marking_seen_returns_to_the_store_filter_the_manager_was_on(client, store, closed):
    review = _push(store, 1, days=7)
    client.force_login(ManagerFactory(stores=[store]).user)

    response = client.post(_seen_url(review), {"store": store.code})

    assert response.status_code == 302 and response["Location"] == f"{URL}?store={store.code}#reviews-after-close"


def _home_line(client) -> tuple[int, str] | None:
    page = client.get("/").text
    found = re.search(r'data-testid="waiting-reviews_after_close"><td><a href="([^"]+)">[^<]+</a></td>\s*'
                      r'<td class="num"><strong[^>]*>(\d+)</strong>', page)  # fmt: skip
    return (int(found[2]), found[1]) if found else None


def test_the_home_page_counts_the_reviews_nobody_has_seen_for_managers_and_agents(client, store, closed):
    manager, agent = ManagerFactory(stores=[store]), AgentFactory(stores=[store])
    outsider = ManagerFactory(stores=[StoreFactory()])
    review = _push(store, 1, days=7)

    client.force_login(manager.user)
    assert _home_line(client) == (1, "/manager/escalations/#reviews-after-close")
    client.force_login(agent.user)
    count, link = _home_line(client)
    assert (count, link) == (1, "/reviews/?view=after_close")
    assert review.external_id in client.get(link).text  # the patrol's tab lists it for the agent
    client.force_login(outsider.user)
    assert _home_line(client)[0] == 0

    client.force_login(manager.user)
    client.post(_seen_url(review))
    assert _home_line(client)[0] == 0
    client.force_login(agent.user)
    assert _home_line(client)[0] == 0
    assert review.external_id not in client.get("/reviews/?view=after_close").text


def test_the_home_line_and_the_seen_button_read_in_chinese(client, store, closed):
    client.force_login(ManagerFactory(stores=[store]).user)
    client.cookies["django_language"] = "zh-hans"
    _push(store, 1, days=7)

    home = client.get("/").text
    board = _section(client.get(URL).text)

    assert "工单关闭后被改差的评价" in home
    assert "标为已阅" in board


def test_a_manager_who_serves_another_store_as_an_agent_counts_what_the_escalations_page_lists(client, store, closed):
    """Manager of this store, agent of another (ADR 0045): the line links to the escalations page, which lists the
    stores they manage, so it counts those and not the other store's (which its manager marks seen)."""
    other = StoreFactory(name="Store B", code="store-b")
    mixed = ManagerFactory(stores=[store])
    mixed.stores.add(other)
    OrderFactory(store=other, customer__store=other, customer__name="王先生", external_id="TM-1")
    _push(other, 3)
    reviews_open_cases()
    there = Review.objects.get(store=other)
    case_close(case=there.case, root_cause="listing")
    _push(other, 1, days=7)
    client.force_login(mixed.user)

    assert _home_line(client) == (0, "/manager/escalations/#reviews-after-close")
    assert "王先生" not in _section(client.get(URL).text)

    _push(store, 1, days=7)
    assert _home_line(client) == (1, "/manager/escalations/#reviews-after-close")
    assert len(re.findall('data-testid="review-after-close"', _section(client.get(URL).text))) == 1
