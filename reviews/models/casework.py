"""What working a review adds to a crm case: the bad-review checklist and evidence photos.

crm must not import reviews, so these point at crm's Case rather than extending it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Case


class Step(models.TextChoices):
    APOLOGY_CALL = "apology_call", _("Apology call")
    CAUSE_UNDERSTOOD = "cause_understood", _("Cause understood, with evidence")
    REMEDY_AGREED = "remedy_agreed", _("Remedy agreed")
    SATISFACTION_CHECKED = "satisfaction_checked", _("Satisfaction checked; asked politely about the review")
    ROOT_CAUSE = "root_cause", _("Root cause recorded")


# In the order an agent works them.
STEPS: tuple[str, ...] = tuple(Step.values)


class CaseStep(models.Model):
    """One ticked step of a case's bad-review checklist."""

    Step = Step

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="review_steps")
    step = models.CharField(_("step"), max_length=24, choices=Step.choices)
    done_at = models.DateTimeField(_("done at"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="casestep_once_per_case"),
            models.CheckConstraint(condition=Q(step__in=Step.values), name="casestep_step_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.step}"


class CaseEvidence(models.Model):
    """A photo for a case: uploaded by the agent, or a review image by its URL."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="review_evidence")
    image = models.FileField(_("photo"), upload_to="evidence/%Y/%m/", blank=True)
    url = models.URLField(_("image address"), max_length=500, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        constraints = [
            models.CheckConstraint(condition=~Q(image="") | ~Q(url=""), name="evidence_has_image_or_url"),
        ]

    def __str__(self) -> str:
        return self.caption or self.url or self.image.name
