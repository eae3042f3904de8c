import html
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError

from crm.errors import InvalidInput, RootCauseRequired
from crm.models import AuditLog, CaseEvent, CaseEvidence, CaseStep, Remedy
from crm.services import evidence_recheck
from crm.services.cases import case_close as case_close_with_root_cause
from crm.services.cases import remedy_approve, remedy_propose
from crm.services.casework import evidence_add, remedy_fulfil
from crm.services.evidence_recheck import evidence_removal_lift
from reviews.errors import EvidenceInvalid, StepNotReady, UnknownCause
from reviews.models import Review
from reviews.services.bad_review import Step, evidence_attach_review_images, review_correct_causes
from reviews.services.bad_review import bad_review_step_mark as case_step_mark
from reviews.services.cases import review_open_case, reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, ReviewFactory, StoreFactory, UserFactory
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


def _removed_by_the_recheck(*photos) -> None:
    for photo in photos:
        with photo.image.open("wb") as stored:  # as a bomb was stored before images were limited to 80 megapixels
            stored.write(claiming("PNG", 100_000, 100_000))
    call_command("recheck_evidence", stdout=io.StringIO())


def test_cause_understood_resting_on_a_file_the_recheck_removes_is_unticked_and_the_case_history_says_why(
    bad_review, settings, tmp_path, client
):
    """The step was ticked because of the photo; the recheck removed the photo and the case went on claiming the
    cause was understood, with evidence nobody can open. Lifting the removal later gives the file back, not the tick:
    an agent ticks it again, having looked."""
    settings.MEDIA_ROOT = tmp_path
    case, agent = bad_review.case, bad_review.case.assignee
    photo = evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("crack.png", PNG), caption="裂纹")
    case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user, note="裂纹在扣上")

    _removed_by_the_recheck(photo)

    assert not CaseStep.objects.filter(case=case, step=Step.CAUSE_UNDERSTOOD).exists()
    event = CaseEvent.objects.get(case=case, kind="step_undone")
    assert event.data == {"step": "cause_understood", "evidence_caption": "裂纹", "evidence_removed": "too_many_pixels"}
    entry = AuditLog.objects.get(action="case_step_unticked")
    assert (entry.actor, entry.store, entry.target) == (None, case.store, f"case #{case.pk}")
    assert entry.data["step"] == "cause_understood" and entry.data["evidence"] == photo.pk
    assert entry.data["ticked_by"] == agent.user.pk and entry.data["note"] == "裂纹在扣上"
    client.force_login(agent.user)
    page = html.unescape(re.sub(r"<[^>]+>", " ", client.get(f"/cases/{case.pk}/").text))
    assert re.search(r"Step unticked\s.*Cause understood, with evidence\s.*裂纹\s.*too large to open", page, re.S)

    evidence_removal_lift(evidence_ids=[photo.pk], actor=UserFactory(is_superuser=True))

    assert not CaseStep.objects.filter(case=case, step=Step.CAUSE_UNDERSTOOD).exists()


def test_a_step_stays_ticked_while_evidence_it_was_ticked_on_still_stands(bad_review, settings, tmp_path):
    """Two photos when it was ticked, one removed: the other is still what the cause was understood from. A photo
    added after the tick is not what it rested on."""
    settings.MEDIA_ROOT = tmp_path
    case, agent = bad_review.case, bad_review.case.assignee
    first = evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("a.png", PNG), caption="正面")
    second = evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("b.png", PNG), caption="背面")
    case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user)

    _removed_by_the_recheck(first)
    assert CaseStep.objects.filter(case=case, step=Step.CAUSE_UNDERSTOOD).exists()

    evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("c.png", PNG), caption="之后")
    _removed_by_the_recheck(second)
    assert not CaseStep.objects.filter(case=case, step=Step.CAUSE_UNDERSTOOD).exists()
    assert CaseEvent.objects.filter(case=case, kind="step_undone").count() == 1


def test_the_untick_and_the_removal_are_one_write(bad_review, settings, tmp_path, monkeypatch):
    """When the step cannot be unticked (here its history entry fails), the file is not removed either: never a
    removed file under a tick, never a tick gone without its reason."""
    settings.MEDIA_ROOT = tmp_path
    case, agent = bad_review.case, bad_review.case.assignee
    photo = evidence_add(case=case, actor=agent.user, photo=SimpleUploadedFile("crack.png", PNG), caption="裂纹")
    case_step_mark(case=case, step=Step.CAUSE_UNDERSTOOD, actor=agent.user)
    real_audit = evidence_recheck.audit_record

    def failing_audit(**entry):
        if entry["action"] == "case_step_unticked":
            raise DatabaseError("refused")
        return real_audit(**entry)

    monkeypatch.setattr(evidence_recheck, "audit_record", failing_audit)

    with pytest.raises(DatabaseError):
        _removed_by_the_recheck(photo)

    assert CaseEvidence.objects.get(pk=photo.pk).quarantined_at is None
    assert CaseStep.objects.filter(case=case, step=Step.CAUSE_UNDERSTOOD).exists()


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
