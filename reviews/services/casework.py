"""Working a review: its case, the bad-review checklist, evidence photos, cause corrections and the reply."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import InvalidInput
from crm.models import Case, CaseEvent, Remedy
from crm.services.cases import case_add_event, case_close
from crm.uploads import UploadRefused, upload_accept

from ..errors import (
    DuplicateReply,
    EvidenceInvalid,
    ReplyHasAgentWording,
    ReplyVariantsExhausted,
    StepNotReady,
    UnknownCause,
)
from ..evaluation import CAUSES
from ..models import CauseCorrection, Review, ReviewReply, Sentiment
from ..models.casework import CaseEvidence, CaseStep, Step
from ..replies import compose, fingerprint, recent_fingerprints, voice_for

PHOTO_MAX_BYTES = 10 * 1024 * 1024
# A remedy that stands: agreed within the limit, or approved by the manager.
STANDING_REMEDIES = (Remedy.Status.AGREED, Remedy.Status.APPROVED)


def case_had_contact(*, case: Case) -> bool:
    """Whether we had reached out (a call or SMS on the case, or the apology call ticked)."""
    return case.first_response_at is not None or CaseStep.objects.filter(case=case, step=Step.APOLOGY_CALL).exists()


def _step_ready(case: Case, step: str) -> None:
    if step == Step.CAUSE_UNDERSTOOD and not CaseEvidence.objects.filter(case=case).exists():
        raise StepNotReady(_("Attach at least one photo or review image as evidence first."), field="step")
    if step == Step.REMEDY_AGREED and not case.remedies.filter(status__in=STANDING_REMEDIES).exists():
        raise StepNotReady(_("No remedy stands yet: agree one, or wait for the manager's approval."), field="step")


@transaction.atomic
def case_step_mark(*, case: Case, step: str, actor, note: str = "", asked_about_review: bool = False) -> CaseStep:
    """Tick a checklist step. The apology call is logged as a call on the case's timeline."""
    if step not in Step.values or step == Step.ROOT_CAUSE:
        raise InvalidInput(_("Unknown step; the root cause is recorded by closing the case."), field="step")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise StepNotReady(_("The case is closed."), field="step")
    _step_ready(case, step)
    done, created = CaseStep.objects.get_or_create(
        case=case,
        step=step,
        defaults={
            "done_at": timezone.now(),
            "done_by": actor,
            "note": note.strip(),
            "data": {"asked_about_review": asked_about_review} if step == Step.SATISFACTION_CHECKED else {},
        },
    )
    if created:
        kind = CaseEvent.Kind.CALL if step == Step.APOLOGY_CALL else CaseEvent.Kind.NOTE
        case_add_event(case=case, kind=kind, actor=actor, message=note.strip(), data={"step": step})
    return done


def apology_call_tick_from_event(*, event: CaseEvent) -> CaseStep | None:
    """A call that reached the customer, logged on a mid or bad review's open case (from the call panel, which
    reviews does not import), ticks the apology-call step, once. Runs inside the transaction that wrote the event."""
    case = event.case
    if event.data.get("step") or not case.is_open:  # the step's own event, or too late to matter
        return None
    if not Review.objects.filter(case=case, sentiment__in=(Sentiment.MID, Sentiment.BAD)).exists():
        return None
    step, _created = CaseStep.objects.get_or_create(
        case=case,
        step=Step.APOLOGY_CALL,
        defaults={"done_at": event.at, "done_by": event.actor, "note": event.message, "data": {"event": event.pk}},
    )
    return step


@transaction.atomic
def case_close_with_root_cause(*, case: Case, root_cause: str, actor, note: str = "") -> Case:
    """Close through crm (which requires a root cause from the store's list) and tick the last step."""
    case = case_close(case=case, root_cause=root_cause, actor=actor, note=note)
    CaseStep.objects.get_or_create(
        case=case, step=Step.ROOT_CAUSE, defaults={"done_at": timezone.now(), "done_by": actor, "note": root_cause}
    )
    return case


@transaction.atomic
def evidence_add(
    *, case: Case, actor, photo: UploadedFile | None = None, url: str = "", caption: str = ""
) -> CaseEvidence:
    if photo is None and not url:
        raise EvidenceInvalid(_("Attach a photo (JPEG, PNG or WebP) or a PDF, at most 10 MB."), field="photo")
    if photo is not None:
        original_name = photo.name or ""
        try:
            upload_accept(photo, field="photo", label=_("Photo"), max_bytes=PHOTO_MAX_BYTES)  # renames it
        except UploadRefused as exc:
            raise EvidenceInvalid(exc.message, field="photo") from exc
        caption = caption.strip() or original_name
    evidence = CaseEvidence.objects.create(
        case=case, image=photo or "", url=url, caption=caption.strip()[:200], added_by=actor, added_at=timezone.now()
    )
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.EVIDENCE,
        actor=actor,
        message=evidence.caption,
        data={"evidence_id": evidence.pk, "url": url},
    )
    return evidence


@transaction.atomic
def evidence_attach_review_images(*, review: Review, actor) -> list[CaseEvidence]:
    """The buyer's own photos are the first evidence: attach those not yet on the case."""
    if review.case_id is None:
        raise InvalidInput(_("Open a case for this review first."), field="case")
    have = set(CaseEvidence.objects.filter(case_id=review.case_id).values_list("url", flat=True))
    return [
        evidence_add(case=review.case, actor=actor, url=url, caption=f"{review.external_id} #{position}")
        for position, url in enumerate(review.images, start=1)
        if url not in have
    ]


@transaction.atomic
def review_correct_causes(*, review: Review, causes: list[str], actor) -> Review:
    """An agent's verdict on the causes (the same list confirms them). Every verdict is kept."""
    unknown = [c for c in causes if c not in CAUSES]
    if unknown:
        raise UnknownCause(_("Unknown cause."), field="causes", causes=unknown)
    ordered = [c for c in CAUSES if c in causes]
    review = Review.objects.select_for_update().get(pk=review.pk)
    CauseCorrection.objects.create(
        review=review,
        predicted=review.predicted_causes,
        before=review.causes,
        after=ordered,
        corrected_by=actor,
        at=timezone.now(),
    )
    review.causes, review.causes_corrected = ordered, True
    review.save(update_fields=["causes", "causes_corrected", "updated_at"])
    if review.case_id and ordered and review.case.cause != ordered[0] and review.case.is_open:
        case_add_event(case=review.case, kind=CaseEvent.Kind.NOTE, actor=actor, data={"causes": ordered})
    return review


@transaction.atomic
def reply_redraft(*, review: Review, typed: str | None = None, replace_wording: bool = False) -> ReviewReply:
    """Another variant from the templates, different from every recent reply of the store.

    `typed` is what the reply box holds as the agent asks (None: not known). An agent's wording, saved or only
    typed, is never replaced without `replace_wording`: ReplyHasAgentWording asks first.
    """
    saved = ReviewReply.objects.select_for_update().filter(review=review).first()
    typed = (typed or "").strip()
    own_wording = (saved is not None and saved.written_by_agent) or (
        bool(typed) and typed != (saved.text.strip() if saved else "")
    )
    if own_wording and not replace_wording:
        raise ReplyHasAgentWording(
            _("The reply has your own wording. Replace it with another draft, or save yours."), field="text"
        )
    taken = recent_fingerprints(store=review.store)
    made = compose(
        voice=voice_for(store=review.store),
        text=review.text,
        sentiment=review.sentiment,
        causes=review.causes,
        product_name=review.product,
        seed=f"{review.store_id}:{review.external_id}:{timezone.now().timestamp()}",
        taken=taken,
    )
    if made is None:
        raise ReplyVariantsExhausted(
            _("Every reply the templates can make was used recently: add templates or write one by hand.")
        )
    reply, _created = ReviewReply.objects.update_or_create(
        review=review,
        defaults={
            "store": review.store,
            "text": made[0],
            "fingerprint": made[1],
            "status": ReviewReply.Status.DRAFT,
            "drafted_at": timezone.now(),
            "written_by_agent": False,
        },
    )
    return reply


@transaction.atomic
def reply_edit(*, review: Review, text: str, actor, posted: bool = False) -> ReviewReply:
    """Save the agent's wording (and optionally mark it posted); it must differ from recent replies."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("A reply cannot be empty."), field="text")
    mark = fingerprint(text)
    if mark in recent_fingerprints(store=review.store, exclude_review_id=review.pk):
        raise DuplicateReply(_("The same reply was used recently for this store: write it differently."), field="text")
    now = timezone.now()
    reply = ReviewReply.objects.select_for_update().filter(review=review).first()
    if reply is None:
        reply = ReviewReply(review=review, store=review.store, drafted_at=now)
    # Saving a draft unchanged (to mark it posted) does not make it the agent's wording.
    reply.written_by_agent = reply.written_by_agent or reply.text != text
    reply.text, reply.fingerprint = text, mark
    if posted:
        reply.status, reply.posted_at, reply.posted_by = ReviewReply.Status.POSTED, now, actor
    reply.save()
    return reply
