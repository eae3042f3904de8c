"""A bad review's five steps, plugged into crm's case workspace (ADR 0023), and what else working a review adds
to its case: the review's own photos as evidence, the apology call ticked from a call on the case, and the
agent's verdict on the causes.

1. apology call; 2. cause understood, with evidence; 3. remedy agreed; 4. satisfaction checked (and, never as a
condition, a polite question about the review); 5. root cause, recorded by closing the case.
"""

from django import forms
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.casework import CaseKind, StepSpec
from crm.errors import InvalidInput, StepNotReady
from crm.models import Case, CaseEvent, CaseEvidence, CaseStep, Remedy
from crm.services.cases import case_add_event
from crm.services.casework import case_lock_open, case_step_mark, evidence_add

from ..errors import UnknownCause
from ..evaluation import CAUSES
from ..models import CauseCorrection, Review, Sentiment


class Step(models.TextChoices):
    APOLOGY_CALL = "apology_call", gettext_lazy("Apology call")
    CAUSE_UNDERSTOOD = "cause_understood", gettext_lazy("Cause understood, with evidence")
    REMEDY_AGREED = "remedy_agreed", gettext_lazy("Remedy agreed")
    SATISFACTION_CHECKED = "satisfaction_checked", gettext_lazy("Satisfaction checked; asked politely about the review")
    ROOT_CAUSE = "root_cause", gettext_lazy("Root cause recorded")


# In the order an agent works them.
STEPS: tuple[str, ...] = tuple(Step.values)


def case_had_contact(*, case: Case) -> bool:
    """Whether we had reached out (a call or SMS on the case, or the apology call ticked)."""
    return case.first_response_at is not None or CaseStep.objects.filter(case=case, step=Step.APOLOGY_CALL).exists()


def _step_ready(case: Case, step: str) -> None:
    # A file removed from the case (ADR 0047) is shown to nobody: it is not what the cause was understood from.
    if step == Step.CAUSE_UNDERSTOOD and not CaseEvidence.objects.filter(case=case).standing().exists():
        raise StepNotReady(_("Attach at least one photo or review image as evidence first."), field="step")
    if step == Step.REMEDY_AGREED and not case.remedies.filter(status__in=Remedy.STANDING).exists():
        raise StepNotReady(_("No remedy stands yet: agree one, or wait for the manager's approval."), field="step")


@transaction.atomic
def bad_review_step_mark(*, case: Case, step: str, actor, note: str = "", asked_about_review: bool = False) -> CaseStep:
    """Tick a step. The apology call is logged as a call on the case's timeline (it stops the first-response
    clock)."""
    if step not in Step.values or step == Step.ROOT_CAUSE:
        raise InvalidInput(_("Unknown step; the root cause is recorded by closing the case."), field="step")
    _step_ready(case, step)
    return case_step_mark(
        case=case,
        step=step,
        actor=actor,
        note=note,
        data={"asked_about_review": asked_about_review} if step == Step.SATISFACTION_CHECKED else {},
        event_kind=CaseEvent.Kind.CALL if step == Step.APOLOGY_CALL else CaseEvent.Kind.STEP_DONE,
    )


def apology_call_tick_from_event(*, event: CaseEvent) -> CaseStep | None:
    """A call that reached the customer, logged on a mid or bad review's open case (from the call panel, which
    reviews does not import), ticks the apology-call step, once; the review may have been raised to good since.
    Runs inside the transaction that wrote the event."""
    case = event.case
    if event.data.get("step") or not case.is_open:  # the step's own event, or too late to matter
        return None
    # Mid or bad now, or when first seen: a review the customer raised to good keeps its checklist while the case is
    # open, and the apology call is still the first step of it.
    unhappy = Q(sentiment__in=(Sentiment.MID, Sentiment.BAD)) | Q(original_rating__lte=3)
    if not Review.objects.filter(unhappy, case=case).exists():
        return None
    step, _created = CaseStep.objects.get_or_create(
        case=case,
        step=Step.APOLOGY_CALL,
        defaults={"done_at": event.at, "done_by": event.actor, "note": event.message, "data": {"event": event.pk}},
    )
    return step


@transaction.atomic
def evidence_attach_review_images(*, review: Review, actor) -> list[CaseEvidence]:
    """The buyer's own photos are the first evidence: attach those not yet on the case."""
    if review.case_id is None:
        raise InvalidInput(_("Open a case for this review first."), field="case")
    # The case locked before its photos are read: a second click would otherwise attach them all again.
    case = case_lock_open(review.case)
    have = set(CaseEvidence.objects.filter(case=case).values_list("url", flat=True))
    return [
        evidence_add(case=case, actor=actor, url=url, caption=f"{review.external_id} #{position}")
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


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class SatisfactionForm(NoteForm):
    asked_about_review = forms.BooleanField(
        label=gettext_lazy("Asked politely whether they would update the review (never a condition)"), required=False
    )


def _mark(step: str):
    def perform(*, case: Case, actor, agent, note: str = "", asked_about_review: bool = False) -> CaseStep:
        return bad_review_step_mark(case=case, step=step, actor=actor, note=note, asked_about_review=asked_about_review)

    return perform


BAD_REVIEW = CaseKind(
    code="bad_review",
    label=gettext_lazy("Bad review"),
    sources=(Case.Source.REVIEW,),
    steps=(
        StepSpec(
            Step.APOLOGY_CALL,
            Step.APOLOGY_CALL.label,
            form=NoteForm,
            perform=_mark(Step.APOLOGY_CALL),
            template="crm/cases/steps/_call.html",
        ),
        StepSpec(
            Step.CAUSE_UNDERSTOOD,
            Step.CAUSE_UNDERSTOOD.label,
            form=NoteForm,
            perform=_mark(Step.CAUSE_UNDERSTOOD),
            rests_on_evidence=True,
        ),
        StepSpec(Step.REMEDY_AGREED, Step.REMEDY_AGREED.label, form=NoteForm, perform=_mark(Step.REMEDY_AGREED)),
        StepSpec(
            Step.SATISFACTION_CHECKED,
            Step.SATISFACTION_CHECKED.label,
            form=SatisfactionForm,
            perform=_mark(Step.SATISFACTION_CHECKED),
            template="crm/cases/steps/_form.html",
        ),
        StepSpec(Step.ROOT_CAUSE, Step.ROOT_CAUSE.label, by_close=True),
    ),
)
