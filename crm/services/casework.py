"""The case workspace's writes that every kind shares: ticking a step, evidence, carrying out a remedy and the
customer's confirmation. Opening, remedies and their approval, close and reopen are in crm.services.cases.

Which steps a case has comes from its kind (crm.casework, ADR 0023).
"""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.casework import case_kind_for
from crm.errors import CaseClosed, EvidenceInvalid, InvalidInput, InvalidTransition, ReasonRequired, StepNotReady
from crm.models import Agent, Case, CaseEvent, CaseEvidence, CaseStep, Remedy
from crm.uploads import UploadRefused, upload_accept, upload_store
from crm.wording import one_line

from .audit import audit_record
from .cases import case_add_event, case_resume_when_nothing_awaits

PHOTO_MAX_BYTES = 10 * 1024 * 1024


def case_lock_open(case: Case) -> Case:
    """The case as it is now, locked for the write; a closed case cannot be worked."""
    case = Case.objects.select_for_update(of=("self",)).select_related("store").get(pk=case.pk)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    return case


def case_step_done(*, case: Case, step: str) -> bool:
    return CaseStep.objects.filter(case=case, step=step).exists()


def case_step_require(*, case: Case, step: str, message: str) -> None:
    if not case_step_done(case=case, step=step):
        raise StepNotReady(message, field="step")


@transaction.atomic
def case_step_mark(
    *,
    case: Case,
    step: str,
    actor,
    note: str = "",
    data: dict[str, Any] | None = None,
    event_kind: str = CaseEvent.Kind.STEP_DONE,
) -> CaseStep:
    """Tick a step of the case's kind, once; a second tick returns the first. Kind-specific rules (what must be
    there before a step) are checked by the kind's own service before it calls this."""
    spec = case_kind_for(case=case).step(step)
    if spec is None or spec.by_close:
        raise InvalidInput(_("Unknown step; the root cause is recorded by closing the case."), field="step")
    case = case_lock_open(case)
    done, created = CaseStep.objects.get_or_create(
        case=case,
        step=step,
        defaults={"done_at": timezone.now(), "done_by": actor, "note": note.strip(), "data": data or {}},
    )
    if created:
        case_add_event(
            case=case, kind=event_kind, actor=actor, message=note.strip(), data={"step": step, **(data or {})}
        )
        if case.status == Case.Status.OPEN:
            Case.objects.filter(pk=case.pk).update(status=Case.Status.IN_PROGRESS)
            case.status = Case.Status.IN_PROGRESS
    return done


@transaction.atomic
def evidence_add(
    *, case: Case, actor, photo: UploadedFile | None = None, url: str = "", caption: str = ""
) -> CaseEvidence:
    """A photo or PDF upload (checked by its bytes through the shared upload validator, crm.uploads) or an image
    address. Never a half-written row, and never a stored file without its row (crm.uploads.upload_store)."""
    if photo is None and not url:
        raise EvidenceInvalid(
            _("Attach a photo (JPEG, PNG, WebP, or an iPhone's HEIC) or a PDF, at most 10 MB."), field="photo"
        )
    # Shown on the case page and in the timeline before the time it was added: one line that cannot turn it around.
    caption = one_line(caption)
    if photo is not None:
        original_name = photo.name or ""
        try:
            # Renamed, or a HEIC turned into the JPEG that is stored.
            photo = upload_accept(photo, field="photo", label=_("Photo"), max_bytes=PHOTO_MAX_BYTES)
        except UploadRefused as exc:
            raise EvidenceInvalid(exc.message, field="photo") from exc
        caption = caption or one_line(original_name)
    case = case_lock_open(case)
    evidence = CaseEvidence(case=case, url=url, caption=caption[:200], added_by=actor, added_at=timezone.now())
    if photo is not None:
        upload_store(evidence.image, photo)
    evidence.save()
    case_add_event(
        case=case, kind=CaseEvent.Kind.EVIDENCE, actor=actor, message=evidence.caption, data={"evidence": evidence.pk}
    )
    return evidence


def _lock_remedy(remedy: Remedy) -> Remedy:
    """The remedy locked after its case, the order every remedy write takes (a close, a proposal and a decision lock
    the case): a fulfilment racing a close waits for it and finds the case closed."""
    case = case_lock_open(Case(pk=remedy.case_id))
    remedy = Remedy.objects.select_for_update().get(pk=remedy.pk)
    remedy.case = case
    return remedy


@transaction.atomic
def remedy_fulfil(*, remedy: Remedy, agent: Agent, reference: str) -> Remedy:
    """Record that the remedy was carried out: the refund reference, coupon code or exchange tracking number.

    Only a remedy that stands (agreed within the agent's limit, or approved by the manager) can be carried out.
    """
    remedy = _lock_remedy(remedy)
    reference = reference.strip()
    if remedy.status not in (Remedy.Status.AGREED, Remedy.Status.APPROVED):
        raise InvalidTransition(
            _("Only an agreed or approved remedy can be carried out; this one is %(status)s.")
            % {"status": remedy.get_status_display()},
            field="status",
        )
    if not reference:
        raise InvalidInput(_("Give the refund reference, coupon code or tracking number."), field="reference")
    remedy.status, remedy.fulfilment_reference = Remedy.Status.FULFILLED, reference[:100]
    remedy.fulfilled_by, remedy.fulfilled_at = agent, timezone.now()
    remedy.save(update_fields=["status", "fulfilment_reference", "fulfilled_by", "fulfilled_at"])
    case_add_event(
        case=remedy.case,
        kind=CaseEvent.Kind.REMEDY_FULFILLED,
        actor=agent.user,
        message=remedy.fulfilment_reference,
        data={"remedy_kind": remedy.kind, "reference": remedy.fulfilment_reference},
    )
    audit_record(
        actor=agent.user,
        action="remedy_fulfilled",
        store=remedy.case.store,
        target=f"case #{remedy.case_id}",
        data={
            "kind": remedy.kind,
            "cost": str(remedy.cost),
            "currency": remedy.currency,
            "reference": remedy.fulfilment_reference,
        },
    )
    return remedy


@transaction.atomic
def remedy_withdraw(*, remedy: Remedy, actor, reason: str) -> Remedy:
    """Take back a remedy not yet carried out (the customer turned it down, or a better one was agreed), with the
    reason; a remedy waiting for the manager is taken off the manager's list."""
    remedy = _lock_remedy(remedy)
    case = remedy.case
    if remedy.status not in (*Remedy.OWED, Remedy.Status.AWAITING_APPROVAL):
        raise InvalidTransition(
            _("Only a remedy not yet carried out can be withdrawn; this one is %(status)s.")
            % {"status": remedy.get_status_display()},
            field="status",
        )
    reason = reason.strip()
    if not reason:
        raise ReasonRequired(_("Say why the remedy is withdrawn."), field="reason")
    remedy.status = Remedy.Status.WITHDRAWN
    remedy.save(update_fields=["status"])
    case_add_event(
        case=case,
        kind=CaseEvent.Kind.REMEDY_WITHDRAWN,
        actor=actor,
        message=reason,
        data={"remedy_kind": remedy.kind, "cost": str(remedy.cost), "currency": remedy.currency},
    )
    audit_record(
        actor=actor,
        action="remedy_withdrawn",
        store=case.store,
        target=f"case #{case.pk}",
        data={"kind": remedy.kind, "cost": str(remedy.cost), "currency": remedy.currency, "reason": reason},
    )
    case_resume_when_nothing_awaits(case)
    return remedy


@transaction.atomic
def remedy_confirm(*, remedy: Remedy, actor, via: str) -> Remedy:
    """The customer confirmed, on a call or in an SMS reply, that the remedy put it right."""
    remedy = _lock_remedy(remedy)
    if via not in Remedy.Channel.values:
        raise InvalidInput(_("Say how the customer confirmed: a call or an SMS reply."), field="via")
    if remedy.status != Remedy.Status.FULFILLED:
        raise InvalidTransition(_("Record how the remedy was carried out first."), field="status")
    remedy.status, remedy.confirmed_at, remedy.confirmed_via = Remedy.Status.CONFIRMED, timezone.now(), via
    remedy.save(update_fields=["status", "confirmed_at", "confirmed_via"])
    case_add_event(
        case=remedy.case,
        kind=CaseEvent.Kind.REMEDY_CONFIRMED,
        actor=actor,
        data={"remedy_kind": remedy.kind, "via": via},
    )
    return remedy
