"""A parcel: the order it carries, the courier and number it is tracked by, and the state tracking reported.

The columns the delay rules read (first scan, last event, promised-by, out-for-delivery deadline, open) are
kept on the row so every rule is a range over one partial index (docs/decisions/0021-parcel-tracking.md).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Order, Store


class ShipmentState(models.TextChoices):
    PENDING = "pending", _("Awaiting first scan")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    REDIRECTED = "redirected", _("Redirected")
    SIGNED = "signed", _("Signed for")
    PROBLEM = "problem", _("Problem at the courier")
    REFUSED = "refused", _("Refused")
    RETURNING = "returning", _("Returning to sender")
    EXCEPTION = "exception", _("Courier exception")
    LOST = "lost", _("Lost")


# States that open a logistics case and get the exception notice (疑难, 退签, 退回, provider exceptions, lost).
EXCEPTION_STATES = (
    ShipmentState.PROBLEM,
    ShipmentState.REFUSED,
    ShipmentState.RETURNING,
    ShipmentState.EXCEPTION,
    ShipmentState.LOST,
)


class Shipment(models.Model):
    State = ShipmentState

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="shipments", db_index=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    courier = models.CharField(_("courier"), max_length=100, help_text=_("The courier's code, e.g. shunfeng."))
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    shipped_at = models.DateTimeField(_("shipped at"))
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True)
    # The end of the promised date in the store's time zone (aware UTC), so "past the promised date" is a range.
    promised_by = models.DateTimeField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ShipmentState.choices, default=ShipmentState.PENDING)
    first_scan_at = models.DateTimeField(_("first scan"), null=True, blank=True)
    # The newest checkpoint's time: what "newer" means when pushes arrive out of order.
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    last_event_text = models.CharField(_("last event"), max_length=500, blank=True)
    last_event_location = models.CharField(_("last location"), max_length=100, blank=True)
    # Out for delivery: the end of that local day; not signed by then is a delay.
    deliver_by = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    # The provider's subscription: polling, shutdown (signed for), abort (resubscribe after resubscribe_after).
    provider_status = models.CharField(_("tracking status"), max_length=16, blank=True)
    subscribed_at = models.DateTimeField(_("subscribed at"), null=True, blank=True)
    resubscribe_after = models.DateTimeField(null=True, blank=True)
    subscribe_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-shipped_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            # Number first: a provider's push (number and courier) and an order batch's lookup (its numbers) probe
            # this one index, so no second index on the number is written for every new parcel (ADR 0021).
            models.UniqueConstraint(fields=["tracking_number", "courier", "store"], name="shipment_unique_number"),
            models.CheckConstraint(condition=Q(state__in=ShipmentState.values), name="shipment_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="signed") | Q(signed_at__isnull=False), name="shipment_signed_has_time"
            ),
        ]
        # One partial index per delay rule, over open parcels only: a sweep reads ranges, never the closed past.
        indexes = [
            models.Index(
                fields=["store", "shipped_at"],
                condition=Q(is_open=True, first_scan_at__isnull=True),
                name="shipment_open_unscanned",
            ),
            models.Index(
                fields=["store", "last_event_at"],
                condition=Q(is_open=True, first_scan_at__isnull=False),
                name="shipment_open_last_event",
            ),
            models.Index(
                fields=["store", "promised_by"],
                condition=Q(is_open=True, promised_by__isnull=False),
                name="shipment_open_promised",
            ),
            models.Index(
                fields=["store", "deliver_by"],
                condition=Q(is_open=True, deliver_by__isnull=False),
                name="shipment_open_deliver_by",
            ),
            models.Index(
                fields=["store", "state"],
                condition=Q(is_open=True) & ~Q(state__in=["pending", "picked_up", "in_transit", "out_for_delivery"]),
                name="shipment_open_odd_state",
            ),
            models.Index(
                fields=["resubscribe_after"], condition=Q(resubscribe_after__isnull=False), name="shipment_resubscribe"
            ),
            # The board: a store's open parcels (the rules' indexes above each hold only some of them).
            models.Index(fields=["store"], condition=Q(is_open=True), name="shipment_open_store"),
        ]

    def __str__(self) -> str:
        return f"{self.courier} {self.tracking_number}"

    @property
    def is_exception(self) -> bool:
        return self.state in EXCEPTION_STATES


class Checkpoint(models.Model):
    """One line of the courier's history, kept as it came; a repeated push adds nothing."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="checkpoints", db_index=False)
    at = models.DateTimeField(_("at"))
    text = models.CharField(_("event"), max_length=500)
    location = models.CharField(_("location"), max_length=100, blank=True)
    status = models.CharField(_("courier status"), max_length=40, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [models.UniqueConstraint(fields=["shipment", "at", "text"], name="checkpoint_unique")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text}"
