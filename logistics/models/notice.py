"""What the customer was told about a parcel: a delay or shipping SMS, or a call task for an agent.

SMS rows are sent at most once by the care SMS sweeper, as a registered queue (callbacks.services.dispatch.SmsQueue,
docs/decisions/0011-sms-at-most-once.md): the columns below are that protocol's.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callbacks.models import SENT_UNDELIVERED, SuppressedReason
from crm.models import Customer, Order, Store

from .delay import DelayRule
from .shipment import Shipment


class NoticeKind(models.TextChoices):
    SHIPPED = "shipped", _("Shipping notice")
    DELAY = "delay", _("Delay notice")


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    CALL = "call", _("Call task")


class NoticeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent")


# A notice that told the customer, at its `sent_at` (ADR 0021): an SMS sent and not reported undelivered
# (callbacks.models.SENT_UNDELIVERED), or a call task whose outcome, logged, says the agent reached the customer
# (callbacks.models.REACHED_OUTCOMES, stamped by logistics.services.notices.parcel_call_outcome_record). One call not
# answered, not made or whose outcome nobody logged told nobody. The report, the board and the parcel page read this.
NOTICE_TOLD = (Q(channel=NoticeChannel.SMS, status=NoticeStatus.SENT) & ~SENT_UNDELIVERED) | Q(
    channel=NoticeChannel.CALL, sent_at__isnull=False
)


class ShipmentNotice(models.Model):
    Kind = NoticeKind
    Channel = NoticeChannel
    Status = NoticeStatus

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="notices", db_index=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=8, choices=NoticeKind.choices)
    # Blank for a shipping notice.
    rule = models.CharField(_("rule"), max_length=24, choices=DelayRule.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=4, choices=NoticeChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PLANNED)
    # The gate's reason code when it was not sent (callbacks.services.gate.RefusalReason).
    # The contact gate's or planning's code; its choices give the board the reason in the reader's language.
    suppressed_reason = models.CharField(
        _("not sent because"), max_length=40, blank=True, choices=SuppressedReason.choices
    )
    due_at = models.DateTimeField(_("due at"))
    message_body = models.TextField(_("message"), blank=True)
    # The number as claimed: the send and a reconciliation use it (callbacks.services.dispatch.sms_claim_row).
    recipient = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # An SMS's send; a call notice's first call that reached the customer, when its outcome was logged.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    provider_status = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=24, blank=True)
    error_code = models.CharField(max_length=16, blank=True)
    # For a call task: the gate's call task it created (callbacks), as "<model>:<id>".
    call_task = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("parcel notice")
        verbose_name_plural = _("parcel notices")
        constraints = [
            # At most once per shipment, kind, rule and channel.
            models.UniqueConstraint(fields=["shipment", "kind", "rule", "channel"], name="notice_once_per_rule"),
            models.CheckConstraint(condition=Q(status__in=NoticeStatus.values), name="notice_status_valid"),
            models.CheckConstraint(condition=~Q(status="sent") | ~Q(provider_id=""), name="notice_sent_has_id"),
            models.CheckConstraint(
                condition=~Q(status="suppressed") | ~Q(suppressed_reason=""), name="notice_suppressed_has_reason"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "due_at"], condition=Q(status__in=["planned", "sending"]), name="notice_due"
            ),
            # A reply's number → the notices sent to it (callbacks' inbound SMS, ADR 0049).
            models.Index(fields=["recipient", "sent_at"], condition=Q(status="sent"), name="notice_sent_to"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.rule} → {self.shipment}"
