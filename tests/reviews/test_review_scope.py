"""Every address that names a review by id answers 404 to a user of another store, and writes nothing."""

import pytest
from django.utils import timezone

from crm.models import AuditLog, CaseEvent, CaseEvidence
from reviews.models import CauseCorrection, PlatformComplaint, Review, ReviewReply
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

ADDRESSES = [
    ("get", "/reviews/{pk}/", {}),
    ("get", "/reviews/{pk}/explain", {}),
    ("post", "/reviews/{pk}/causes", {"causes": ["size"]}),
    ("post", "/reviews/{pk}/reply", {"text": "别家写的回复"}),
    ("post", "/reviews/{pk}/reply/redraft", {"text": ""}),
    ("post", "/reviews/{pk}/case", {}),
    ("post", "/reviews/{pk}/case/evidence/review-images", {}),
    ("post", "/reviews/{pk}/evidence-pack", {}),
    ("post", "/reviews/{pk}/platform-complaint", {"platform_reference": "X1", "outcome": "pending"}),
]


@pytest.mark.parametrize(("method", "address", "data"), ADDRESSES)
@pytest.mark.parametrize("role", [AgentFactory, ManagerFactory])
def test_another_stores_review_is_a_404_and_nothing_is_written(client, store, method, address, data, role):
    order = OrderFactory(store=store, customer__store=store)
    row = ReviewIn(
        external_id="R1",
        rating=1,
        posted_at=timezone.now(),
        text="有裂纹",
        order=order.external_id,
        images=["https://img.example.com/1.jpg"],
    )
    reviews_ingest(store=store, rows=[row])
    reviews_open_cases()
    review = Review.objects.get()
    reply = ReviewReply.objects.get().text
    events = CaseEvent.objects.count()
    client.force_login(role(stores=[StoreFactory()]).user)

    answer = getattr(client, method)(address.format(pk=review.pk), data)

    assert answer.status_code == 404
    assert ReviewReply.objects.get().text == reply and CaseEvent.objects.count() == events
    assert not (CauseCorrection.objects.exists() or PlatformComplaint.objects.exists())
    assert not (CaseEvidence.objects.exists() or AuditLog.objects.exists())
