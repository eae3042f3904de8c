"""The telephony events received: each signed webhook kept as it came."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callbacks.models.followup import FollowUp


class TelephonyEventKind(models.TextChoices):
    MESSAGE_STATUS = "message_status", _("Message status")
    CALL_STATUS = "call_status", _("Call status")
    INBOUND_SMS = "inbound_sms", _("Inbound SMS")


class TelephonyEvent(models.Model):
    """A signed webhook as it came, so every state change can be explained."""

    Kind = TelephonyEventKind

    kind = models.CharField(_("kind"), max_length=16, choices=TelephonyEventKind.choices)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    followup = models.ForeignKey(FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("telephony event")
        verbose_name_plural = _("telephony events")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TelephonyEventKind.values), name="telephony_event_kind_valid")
        ]
        indexes = [models.Index(fields=["provider_id"], name="telephony_event_provider_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_id}"
