"""The case workspace's records: ticked steps, evidence and the store's remedy playbook.

Which steps a case has depends on its kind (a complaint's four, a bad review's five); the kinds are registered
through crm.casework (ADR 0023), so a step here is just a code the case's kind knows.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.case import Case, CaseCause
from crm.models.remedy import RemedyKind
from crm.models.store import Store

CAUSE_VALUES = [c for c in CaseCause.values if c]


class CaseStep(models.Model):
    """One ticked step of the case's kind (see crm.casework); ``data`` keeps what the step recorded."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=24)
    done_at = models.DateTimeField(_("done at"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="casestep_once_per_case")]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.step}"


class CaseEvidenceQuerySet(models.QuerySet):
    def standing(self) -> "CaseEvidenceQuerySet":
        """The evidence a case has: a file removed by the recheck of stored files (ADR 0047) is served to nobody and
        packed for nobody, so it is no evidence of anything."""
        return self.filter(quarantined_at=None)


class CaseEvidence(models.Model):
    """A photo for a case: uploaded by the agent, or an image (a review's) by its URL."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    image = models.FileField(_("photo"), upload_to="evidence/%Y/%m/", blank=True)
    url = models.URLField(_("image address"), max_length=500, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    added_at = models.DateTimeField(_("added at"))
    # Set when its stored file fails the upload check of today (crm.services.evidence_recheck, ADR 0047): the file is
    # kept in storage for audit, and never served again.
    quarantined_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    quarantine_reason = models.CharField(_("why removed"), max_length=16, blank=True)
    # The check's code an operator lifted the removal for, in the admin (crm.services.evidence_recheck): the recheck
    # leaves the file for that reason; another reason removes it again.
    removal_lifted_for = models.CharField(_("removal lifted for"), max_length=16, blank=True)

    objects = CaseEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        constraints = [
            models.CheckConstraint(condition=~Q(image="") | ~Q(url=""), name="evidence_has_image_or_url"),
        ]
        # The admin's "removed" filter, newest first: the few removed rows, never a read of every photo.
        indexes = [
            models.Index(fields=["-id"], condition=Q(quarantined_at__isnull=False), name="caseevidence_removed"),
        ]

    def __str__(self) -> str:
        return self.caption or self.url or self.image.name


class RemedyPlay(models.Model):
    """One pre-approved option of the store's playbook for a cause; the defaults live in crm.services.playbook.

    A cause has several options (an agent offers two or three when negotiating), one row per kind of remedy.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="remedy_plays")
    cause = models.CharField(_("cause"), max_length=24, choices=[(c, c) for c in CAUSE_VALUES])
    kind = models.CharField(_("remedy"), max_length=16, choices=RemedyKind.choices)
    cost = models.DecimalField(_("usual cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    script = models.TextField(_("what to say"), blank=True)

    class Meta:
        ordering = ["store", "cause", "cost", "id"]
        verbose_name = _("remedy play")
        verbose_name_plural = _("remedy playbook")
        constraints = [
            models.UniqueConstraint(fields=["store", "cause", "kind"], name="remedyplay_unique_per_cause_kind"),
            models.CheckConstraint(condition=Q(cause__in=CAUSE_VALUES), name="remedyplay_cause_valid"),
            choices_check("kind", RemedyKind, "remedyplay_kind_valid"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="remedyplay_cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}: {self.cause} → {self.kind}"
