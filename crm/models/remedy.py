"""Remedies offered on a case, with their approval state."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.agent import Agent
from crm.models.case import Case


class RemedyKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange, postage paid by the store")
    GIFT = "gift", _("Small gift")
    COUPON = "coupon", _("Coupon")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    APOLOGY = "apology", _("Sincere apology")
    OTHER = "other", _("Other")


class RemedyStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class Remedy(models.Model):
    Kind = RemedyKind
    Status = RemedyStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("kind"), max_length=16, choices=RemedyKind.choices)
    description = models.TextField(_("description"), blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=20, choices=RemedyStatus.choices)
    proposed_by = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="remedies_proposed")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="remedies_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        constraints = [
            choices_check("kind", RemedyKind, "remedy_kind_valid"),
            choices_check("status", RemedyStatus, "remedy_status_valid"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="remedy_cost_non_negative"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""), name="remedy_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.cost})"
