"""Evidence files stored before the upload check refused what it refuses today, read through that check again.

The check (crm.uploads) runs at upload only: a file stored before it learned to refuse something stayed, served to
whoever opened the case and packed into the evidence pack for the platform's staff: a PDF with active content
(JavaScript, an XFA form, a go-to into another PDF ...) opened in a PDF reader where it acts, an image whose header
claims more than 80 megapixels (a decompression bomb) shown inline in the tab it then froze, a page stored as a photo
before uploads were checked by their bytes. `evidence_recheck` reads every stored file through the same check
(`crm.uploads.upload_refusal`, the one upload_accept makes) and removes the ones it refuses from their case: the row
is marked (`quarantined_at`, `quarantine_reason`), the case page says the file was removed and why, its download
answers 410 and the evidence pack leaves it out. The file stays in storage, for audit (ADR 0047).

A PDF of more objects than an upload may have is read in full, up to RECHECK_MAX_PDF_OBJECTS (crm.evidence_removal):
the upload's limit keeps a web process from parsing what an uploader chose, and the recheck is a command, one file at
a time. One past even that bound is neither passed nor refused: it is held from its case for an operator's review
(HELD_FOR_REVIEW), said so on the case page, and given back with the admin's lift like a removed file (ADR 0047).

A step ticked on a removed file (StepSpec.rests_on_evidence: a bad review's "cause understood") is unticked in the
removal's transaction when none of the evidence it was ticked on stands, and the case's timeline says why; lifting
the removal does not tick it again.

A file already removed is not read again; marking is a conditional update, so two runs at once, or a second run,
remove and audit each file once. A file that is not in storage (a restore without the media folder) is reported.

An operator who has looked at a removed file (one pypdf cannot read, a link refused since) and finds it harmless lifts
the removal in the admin (`evidence_removal_lift`, audited): the file is served, packed and counted again, and the
recheck leaves it for the reason it was lifted for (`removal_lifted_for`); a new reason removes it again.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm import evidence_removal
from crm.casework import case_kind_for
from crm.evidence_removal import HELD_FOR_REVIEW
from crm.models import Case, CaseEvent, CaseEvidence, CaseStep
from crm.services.audit import audit_record
from crm.services.cases import case_add_event
from crm.uploads import PDF_TOO_MANY, upload_refusal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    evidence_id: int
    case_id: int
    reason: str  # a code of crm.uploads' check ("wrong_type", "too_many_pixels", "script", "unreadable" ...)


@dataclass
class RecheckReport:
    checked: int = 0  # stored files read through the check
    refused: list[Refused] = field(default_factory=list)  # removed (or, in a dry run, would be)
    held: list[Refused] = field(default_factory=list)  # held for an operator's review (reason HELD_FOR_REVIEW)
    already: int = 0  # removed by an earlier run
    missing: list[Refused] = field(default_factory=list)  # rows whose file is not in storage (reason "missing")
    lifted: int = 0  # refused for the reason an operator lifted their removal for: left as the operator decided


def _stored_evidence() -> Iterator[CaseEvidence]:
    rows = CaseEvidence.objects.exclude(image="").select_related("case__store").order_by("pk")
    return rows.iterator(chunk_size=500)


def _steps_untick(*, evidence: CaseEvidence, reason: str) -> None:
    """Untick each ticked step that rests on evidence (StepSpec.rests_on_evidence: a bad review's "cause understood")
    when, `evidence` removed, none of the evidence the case had when it was ticked stands: the case would go on
    claiming proof nobody can open. Evidence added after the tick is not what it rested on. The case history says why
    (a "step unticked" entry), audited with what the tick had recorded. Lifting the removal gives back the file, not
    the tick: an agent who has looked ticks it again."""
    case = evidence.case
    codes = [spec.code for spec in case_kind_for(case=case).steps if spec.rests_on_evidence]
    for step in CaseStep.objects.filter(case=case, step__in=codes, done_at__gte=evidence.added_at):
        if CaseEvidence.objects.filter(case=case, added_at__lte=step.done_at).standing().exists():
            continue
        step.delete()
        case_add_event(
            case=case,
            kind=CaseEvent.Kind.STEP_UNDONE,
            data={"step": step.step, "evidence_caption": str(evidence), "evidence_removed": reason},
        )
        audit_record(
            actor=None,
            action="case_step_unticked",
            store=case.store,
            target=f"case #{case.pk}",
            data={
                "step": step.step,
                "evidence": evidence.pk,
                "reason": reason,
                "ticked_at": step.done_at.isoformat(),
                "ticked_by": step.done_by_id,
                "note": step.note,
            },
        )


def evidence_quarantine(*, evidence: CaseEvidence, reason: str) -> bool:
    """Remove `evidence` from its case for `reason` (or hold it, HELD_FOR_REVIEW): marked, audited, and a step ticked
    on it unticked, in one transaction; its file kept. False when it already was."""
    with transaction.atomic():
        # The case first, as a tick and an upload lock it: a step is not ticked on this file while it is removed.
        Case.objects.select_for_update(of=("self",)).filter(pk=evidence.case_id).values_list("pk").first()
        # Not when an operator has meanwhile lifted a removal for this very reason.
        marked = (
            CaseEvidence.objects.filter(pk=evidence.pk, quarantined_at=None)
            .exclude(removal_lifted_for=reason)
            .update(quarantined_at=timezone.now(), quarantine_reason=reason)
        )
        if marked:
            audit_record(
                actor=None,
                action="evidence_held_for_review" if reason == HELD_FOR_REVIEW else "evidence_quarantined",
                store=evidence.case.store,
                target=f"case #{evidence.case_id}",
                data={"evidence": evidence.pk, "reason": reason, "file": evidence.image.name},
            )
            _steps_untick(evidence=evidence, reason=reason)
    return bool(marked)


def evidence_recheck(*, dry_run: bool = False) -> RecheckReport:
    """Read every stored evidence file through the upload check; remove those it refuses (unless `dry_run`)."""
    report = RecheckReport()
    for evidence in _stored_evidence():
        if evidence.quarantined_at is not None:
            report.already += 1
            continue
        try:
            file = evidence.image.open("rb")
        except FileNotFoundError:
            report.missing.append(Refused(evidence.pk, evidence.case_id, "missing"))
            continue
        with file:
            report.checked += 1
            reason = upload_refusal(file, max_pdf_objects=evidence_removal.RECHECK_MAX_PDF_OBJECTS)
        if reason is None:
            continue
        if reason == PDF_TOO_MANY:  # past even the recheck's bound: nothing of it read
            reason = HELD_FOR_REVIEW
        if reason == evidence.removal_lifted_for:  # an operator looked at it and lifted its removal for this
            report.lifted += 1
            continue
        if dry_run or evidence_quarantine(evidence=evidence, reason=reason):
            found = Refused(evidence.pk, evidence.case_id, reason)
            (report.held if reason == HELD_FOR_REVIEW else report.refused).append(found)
        else:  # removed meanwhile, by a run beside this one
            report.already += 1
    if report.refused and not dry_run:
        logger.warning("removed %d stored evidence files the upload check refuses", len(report.refused))
    if report.held and not dry_run:
        logger.warning("held %d stored evidence files too large to check for an operator's review", len(report.held))
    return report


# A page of rows at a time, as the admin deletes (crm.admin_mixins.ServiceWrittenAdmin.max_deleted).
MAX_LIFTED = 100


def evidence_removal_lift(*, evidence_ids: list[int], actor) -> int:
    """Give the listed removed files back to their cases (an operator's decision, from the admin): each is served,
    packed and counted as evidence again, audited (`evidence_restored`, with the reason lifted), and the recheck
    leaves it for that reason. A file not removed (or no longer) is left alone. How many were lifted."""
    if len(evidence_ids) > MAX_LIFTED:
        raise ValueError(f"at most {MAX_LIFTED} files at a time")
    lifted = 0
    with transaction.atomic():
        removed = (
            CaseEvidence.objects.select_for_update(of=("self",))
            .select_related("case__store")
            .filter(~Q(quarantined_at=None), pk__in=evidence_ids)
            .order_by("pk")
        )
        for evidence in removed:
            evidence.removal_lifted_for, reason = evidence.quarantine_reason, evidence.quarantine_reason
            evidence.quarantined_at, evidence.quarantine_reason = None, ""
            evidence.save(update_fields=["quarantined_at", "quarantine_reason", "removal_lifted_for"])
            audit_record(
                actor=actor,
                action="evidence_restored",
                store=evidence.case.store,
                target=f"case #{evidence.case_id}",
                data={"evidence": evidence.pk, "reason": reason, "file": evidence.image.name},
            )
            lifted += 1
    return lifted
