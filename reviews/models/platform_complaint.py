"""A complaint to the platform about a suspected malicious review: a record of its own, apart from the reply."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reviews.models.review import Review


class PlatformComplaintOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the platform")
    REMOVED = "removed", _("Review removed")
    REJECTED = "rejected", _("Complaint rejected")


class PlatformComplaint(models.Model):
    """What we filed with the platform: the evidence pack we sent, when, their reference, and what came of it."""

    Outcome = PlatformComplaintOutcome

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="platform_complaint")
    evidence_pack = models.CharField(_("evidence pack"), max_length=200, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    platform_reference = models.CharField(_("platform's reference"), max_length=100, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=PlatformComplaintOutcome.choices, default=PlatformComplaintOutcome.PENDING
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    decided_at = models.DateTimeField(_("outcome at"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform complaint")
        verbose_name_plural = _("platform complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=PlatformComplaintOutcome.values), name="platformcomplaint_outcome_valid"
            ),
            # Filed means we have the platform's reference to chase it by.
            models.CheckConstraint(
                condition=Q(filed_at__isnull=True) | ~Q(platform_reference=""), name="platformcomplaint_filed_has_ref"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.platform_reference}"
