"""Webhook deliveries already accepted, by the provider's own event id, so a redelivery changes nothing."""

from django.db import models


class ProviderEvent(models.Model):
    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
