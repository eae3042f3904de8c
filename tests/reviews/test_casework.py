import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from crm.errors import InvalidInput, RootCauseRequired
from crm.models import Remedy
from crm.services.cases import case_close as case_close_with_root_cause
from crm.services.cases import remedy_approve, remedy_propose
from crm.services.casework import evidence_add, remedy_fulfil
from reviews.errors import EvidenceInvalid, StepNotReady, UnknownCause
from reviews.models import Review
from reviews.services.bad_review import Step, evidence_attach_review_images, review_correct_causes
from reviews.services.bad_review import bad_review_step_mark as case_step_mark
from reviews.services.cases import review_open_case, reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, ReviewFactory, StoreFactory
from tests.images import PNG, claiming

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_review():
    store = StoreFactory(agent_remedy_limit=Decimal("100"))
    AgentFactory(stores=[store])
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(
        store=store,
        rows=[
            ReviewIn(
                external_id="R1",
                rating=1,
                posted_at=datetime(2026, 11, 22, tzinfo=UTC),
                text="手镯有裂纹,质量太差",
                order=order.external_id,
                images=["https://img.example/1.jpg"],
            )
        ],
    )
    reviews_open_cases()
    return Review.objects.select_related("case").get()


def test_the_bad_review_steps_are_worked_in_order_to_a_close(bad_review, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, agent = bad_review.case, bad_review.case.assignee
    case_step_mark(case=case, step=Step.APOLOGY_CALL, actor=agent.user, note="道歉,客户接受")
    with pytest.raises(StepNotReady):
        case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user)
    evidence_attach_review_images(review=bad_review, actor=agent.user)
    evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("crack.png", PNG, "image/png"), caption="裂纹")
    case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user)
    with pytest.raises(StepNotReady):
        case_step_mark(case=case, step=Step.REMEDY_AGREED, actor=agent.user)
    exchange = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.EXCHANGE, cost=Decimal("0"))
    case_step_mark(case=case, step=Step.REMEDY_AGREED, actor=agent.user)
    remedy_fulfil(remedy=exchange, agent=agent, reference="SF1234567890")  # the close needs it carried out
    case_step_mark(case=case, step=Step.SATISFACTION_CHECKED, actor=agent.user, asked_about_review=True)
    with pytest.raises(RootCauseRequired):
        case_close_with_root_cause(case=case, root_cause=" ", actor=agent.user)
    case = case_close_with_root_cause(case=case, root_cause="supplier_defect", actor=agent.user)
    assert case.status == "closed"
    assert list(case.steps.values_list("step", flat=True)) == list(Step.values)
    assert case.evidence.count() == 2
    assert case.first_response_at is not None  # the apology call is a call on the timeline
    assert case.steps.get(step=Step.SATISFACTION_CHECKED).data == {"asked_about_review": True}


def test_a_photo_removed_from_the_case_is_no_evidence_for_the_cause(bad_review, settings, tmp_path):
    """A file the recheck removed (ADR 0047) is not served, nor packed: nobody can look at it, so it cannot be what
    the cause was understood from."""
    settings.MEDIA_ROOT = tmp_path
    case, agent = bad_review.case, bad_review.case.assignee
    photo = evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("crack.png", PNG), caption="裂纹")
    with photo.image.open("wb") as stored:  # as a bomb was stored before images were limited to 80 megapixels
        stored.write(claiming("PNG", 100_000, 100_000))
    call_command("recheck_evidence", stdout=io.StringIO())

    with pytest.raises(StepNotReady):
        case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user)

    evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("crack.png", PNG), caption="裂纹")
    assert case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user).step == "cause_understood"


def test_remedy_above_the_limit_waits_for_the_manager_then_counts_as_agreed(bad_review):
    case = bad_review.case
    manager = ManagerFactory(stores=[case.store])
    remedy = remedy_propose(case=case, agent=case.assignee, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("300"))
    assert remedy.status == "awaiting_approval"
    with pytest.raises(StepNotReady):
        case_step_mark(case=case, step=Step.REMEDY_AGREED, actor=case.assignee.user)
    remedy_approve(remedy=remedy, manager=manager)
    assert case_step_mark(case=case, step=Step.REMEDY_AGREED, actor=case.assignee.user).step == "remedy_agreed"


def test_evidence_must_be_a_photo(bad_review):
    with pytest.raises(EvidenceInvalid):
        evidence_add(case=bad_review.case, actor=None, photo=SimpleUploadedFile("x.exe", b"MZ", "application/x-msdos"))
    with pytest.raises(EvidenceInvalid):
        evidence_add(case=bad_review.case, actor=None)


def test_agent_corrections_are_kept_and_the_causes_follow_them(bad_review):
    review_correct_causes(review=bad_review, causes=["logistics", "quality"], actor=None)
    review_correct_causes(review=bad_review, causes=["logistics"], actor=None)
    bad_review.refresh_from_db()
    assert (bad_review.causes, bad_review.predicted_causes, bad_review.causes_corrected) == (
        ["logistics"],
        ["quality"],
        True,
    )
    assert [c.after for c in bad_review.corrections.order_by("at", "id")] == [["quality", "logistics"], ["logistics"]]
    with pytest.raises(UnknownCause):
        review_correct_causes(review=bad_review, causes=["weather"], actor=None)


def test_a_flagged_good_review_can_be_opened_as_a_case_by_hand():
    store = StoreFactory()
    order = OrderFactory(store=store, customer__store=store)
    review = ReviewFactory(store=store, order=order, customer=order.customer, flagged=True, triage_group="normal")
    case = review_open_case(review=review)
    assert (case.source, case.order, review.case) == ("review", order, case)
    with pytest.raises(InvalidInput):
        review_open_case(review=ReviewFactory(store=store))
