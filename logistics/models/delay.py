"""A delay found on a shipment by one rule: at most one per shipment and rule, whatever the number of sweeps."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import Store

from .shipment import Shipment


class DelayRule(models.TextChoices):
    NO_FIRST_SCAN = "no_first_scan", _("No first scan after shipping")
    NO_UPDATE = "no_update", _("No new checkpoint in transit")
    PAST_PROMISED = "past_promised", _("Past the promised date")
    NOT_DELIVERED_TODAY = "not_delivered_today", _("Out for delivery, not signed for by the end of the day")
    EXCEPTION = "exception", _("Courier exception")


# The rules that mean "the parcel stopped moving": a second one on a parcel is still capped by the gate.
STALL_RULES = (DelayRule.NO_FIRST_SCAN, DelayRule.NO_UPDATE)


class ShipmentDelay(models.Model):
    Rule = DelayRule

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="delays", db_index=False)
    rule = models.CharField(_("rule"), max_length=24, choices=DelayRule.choices)
    found_at = models.DateTimeField(_("found at"))
    # The shipment's state and last event when the rule fired: what the agent and the report see.
    state = models.CharField(_("state"), max_length=20)
    last_event_text = models.CharField(_("last event"), max_length=500, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    # Set once the delay's call task (call-tier orders) and case (exceptions) are made: the follow-up step claims
    # the delays where it is still empty (logistics.services.delays.delays_follow_up).
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "id"]
        verbose_name = _("delay")
        verbose_name_plural = _("delays")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "rule"], name="delay_once_per_rule"),
            models.CheckConstraint(condition=models.Q(rule__in=DelayRule.values), name="delay_rule_valid"),
        ]
        indexes = [
            models.Index(fields=["store", "found_at"], name="delay_store_found"),
            models.Index(
                fields=["found_at"], condition=models.Q(followed_up_at__isnull=True), name="delay_to_follow_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.rule}"
