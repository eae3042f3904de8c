"""The complaint to the platform about a suspected malicious review: when it was filed, with which evidence pack,
under which reference, and what the platform decided. One record per review, updated as it progresses. Audited."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import InvalidInput
from crm.services.audit import audit_record

from ..models import PlatformComplaint, Review


@transaction.atomic
def platform_complaint_record(
    *, review: Review, actor, platform_reference: str, outcome: str, outcome_note: str = "", evidence_pack: str = ""
) -> PlatformComplaint:
    reference = platform_reference.strip()
    if not reference:
        raise InvalidInput(_("Give the platform's reference for the complaint."), field="platform_reference")
    if outcome not in PlatformComplaint.Outcome.values:
        raise InvalidInput(_("Unknown outcome."), field="outcome")
    now = timezone.now()
    # The review first: with no complaint yet there is no row to lock, and a second click would insert a twin.
    Review.objects.select_for_update(of=("self",)).filter(pk=review.pk).values_list("pk", flat=True).get()
    complaint = PlatformComplaint.objects.select_for_update().filter(review=review).first() or PlatformComplaint(
        review=review, filed_at=now, filed_by=actor
    )
    complaint.platform_reference = reference[:100]
    complaint.evidence_pack = (
        evidence_pack.strip() or complaint.evidence_pack or f"evidence-{review.store.code}-{review.external_id}.zip"
    )[:200]
    if outcome != complaint.outcome and outcome != PlatformComplaint.Outcome.PENDING:
        complaint.decided_at = now
    complaint.outcome, complaint.outcome_note = outcome, outcome_note.strip()
    complaint.save()
    audit_record(
        actor=actor,
        action="platform_complaint",
        store=review.store,
        target=f"review {review.external_id}",
        data={"platform_reference": complaint.platform_reference, "outcome": complaint.outcome},
    )
    return complaint
