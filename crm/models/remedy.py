"""Remedies offered on a case, with their approval state."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.agent import Agent
from crm.models.case import Case
from crm.money import money_text


class RemedyKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange, postage paid by the store")
    GIFT = "gift", _("Small gift")
    COUPON = "coupon", _("Coupon")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REFUND = "refund", _("Full refund")
    APOLOGY = "apology", _("Sincere apology")
    OTHER = "other", _("Other")


class RemedyStatus(models.TextChoices):
    """proposed (agreed within the agent's limit, or awaiting approval above it) → approved or declined →
    fulfilled with its reference → confirmed by the customer."""

    AGREED = "agreed", _("Agreed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    FULFILLED = "fulfilled", _("Carried out")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConfirmationChannel(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS reply")


class Remedy(models.Model):
    Kind = RemedyKind
    Status = RemedyStatus
    Channel = ConfirmationChannel
    # A remedy that stands: agreed within the limit or approved, and anything that came of it.
    STANDING = (RemedyStatus.AGREED, RemedyStatus.APPROVED, RemedyStatus.FULFILLED, RemedyStatus.CONFIRMED)
    # Promised to the customer and not yet carried out: a case does not close over one (withdraw it first).
    OWED = (RemedyStatus.AGREED, RemedyStatus.APPROVED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("kind"), max_length=16, choices=RemedyKind.choices)
    description = models.TextField(_("description"), blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    # What the cost is written in: the case's order's currency, else its store's (Case.remedy_currency, ADR 0036).
    # The services always set it; the default only serves bulk writers that know no other currency.
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=20, choices=RemedyStatus.choices)
    proposed_by = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="remedies_proposed")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="remedies_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # Approved by the manager who proposed it (or who sent its case to the managers), the store's only manager at the
    # time: allowed, and shown wherever the approval is (ADR 0038).
    self_approved = models.BooleanField(_("self-approved"), default=False)
    # The refund reference, coupon code or exchange tracking number: proof it was carried out.
    fulfilment_reference = models.CharField(_("fulfilment reference"), max_length=100, blank=True)
    fulfilled_by = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="remedies_fulfilled"
    )
    fulfilled_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_via = models.CharField(
        _("confirmed by"), max_length=8, choices=ConfirmationChannel.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        indexes = [
            # The approvals page's self-approved list (ADR 0038): the few such remedies, latest first.
            models.Index(fields=["decided_at"], condition=Q(self_approved=True), name="remedy_self_approved"),
        ]
        constraints = [
            choices_check("kind", RemedyKind, "remedy_kind_valid"),
            choices_check("status", RemedyStatus, "remedy_status_valid"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="remedy_cost_non_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="remedy_currency_iso"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""), name="remedy_decline_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["fulfilled", "confirmed"])
                | (~Q(fulfilment_reference="") & Q(fulfilled_at__isnull=False)),
                name="remedy_fulfilled_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | (Q(confirmed_at__isnull=False) & ~Q(confirmed_via="")),
                name="remedy_confirmed_has_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({money_text(self.cost, self.currency)})"
