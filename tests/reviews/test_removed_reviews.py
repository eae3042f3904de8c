"""A review the platform hides or deletes: kept as it was, marked removed, its case told and left to the agent."""

import pytest

from crm.models import Case, CaseEvent
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from tests.factories import AgentFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/reviews"
POSTED = "2026-11-22T20:00:00+08:00"


def review(external_id="R1", **fields):
    return {"external_id": external_id, "order": "TM-1", "rating": 1, "text": "假货,差评", "posted_at": POSTED} | fields


@pytest.fixture
def store():
    store = StoreFactory(code="silk-tmall")
    OrderFactory(store=store, customer__store=store, external_id="TM-1")
    return store


def _post(api, body):
    response = api.post(URL, body)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_review_the_platform_hides_keeps_its_text_and_its_open_case_is_told(api, store, client):
    _post(api, review())
    reviews_open_cases()
    case = Case.objects.get()

    _post(api, review(status="hidden", updated_at="2026-11-24T09:00:00+08:00"))

    stored = Review.objects.get()
    assert (stored.platform_status, stored.text, stored.rating) == ("hidden", "假货,差评", 1)
    case.refresh_from_db()
    assert case.is_open  # the agent decides: the customer was unhappy all the same
    [event] = CaseEvent.objects.filter(case=case, kind="review_changed")
    assert event.data["review_status"] == "hidden"
    agent = AgentFactory(stores=[store])
    client.force_login(agent.user)
    page = client.get(f"/reviews/{stored.pk}/").content.decode()
    assert 'data-testid="removed"' in page
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Hidden by the platform" in timeline


def test_a_review_deleted_before_the_sweep_gets_no_case(api):
    _post(api, review())
    _post(api, review(status="deleted", updated_at="2026-11-23T09:00:00+08:00"))

    assert reviews_open_cases() == 0 and not Case.objects.exists()
    assert Review.objects.get().platform_status == "deleted"


def test_a_late_copy_from_before_the_removal_does_not_bring_the_review_back(api):
    _post(api, review(status="deleted", updated_at="2026-11-23T09:00:00+08:00"))

    [late] = _post(api, review())

    assert late["result"] == "stale"
    assert Review.objects.get().platform_status == "deleted"
    assert reviews_open_cases() == 0


def test_a_push_without_a_status_keeps_the_stored_one_and_visible_restores_it(api):
    _post(api, review(status="hidden", updated_at="2026-11-23T09:00:00+08:00"))
    _post(api, review(likes=3, updated_at="2026-11-24T09:00:00+08:00"))
    assert Review.objects.get().platform_status == "hidden"

    _post(api, review(status="visible", updated_at="2026-11-25T09:00:00+08:00"))

    assert Review.objects.get().platform_status == "visible"


def test_an_unknown_status_is_refused_naming_the_field(api):
    response = api.post(URL, review(status="gone"))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("status", "invalid_choice")]


def test_a_reply_cannot_be_marked_posted_under_a_removed_review(api, store, client):
    _post(api, review(status="deleted"))
    stored = Review.objects.get()
    agent = AgentFactory(stores=[store])
    client.force_login(agent.user)

    answer = client.post(
        f"/reviews/{stored.pk}/reply", {"text": "您好,非常抱歉给您带来不便。", "posted": "on"}, follow=True
    )

    assert answer.status_code == 200
    assert "The platform removed this review" in answer.content.decode()
    assert not hasattr(Review.objects.get(), "reply") or Review.objects.get().reply.status == "draft"
