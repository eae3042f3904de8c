"""Parcels in the admin, shown and never written (ADR 0030): tracking, the delay rules and the notice senders move them,
and each has the shipment's page ("View on site") where agents work it."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import KeyedSearchAdmin, ServiceWrittenAdmin, ServiceWrittenInline

from .models import Checkpoint, Shipment, ShipmentDelay, ShipmentNotice


class _OnTheShipmentPage:
    shipment_id_field = "shipment_id"

    def view_on_site(self, obj):
        return reverse("logistics:shipment", args=[getattr(obj, self.shipment_id_field)])


class CheckpointInline(ServiceWrittenInline):
    """The courier's history, as it came."""

    model = Checkpoint
    fields = ("at", "text", "location", "status")
    # As the courier wrote it: who signed for the parcel, a number to call (ADR 0033).
    payload_fields = ("text",)
    payload_customer = "shipment__order__customer"


class DelayInline(ServiceWrittenInline):
    model = ShipmentDelay
    fields = ("rule", "found_at", "state", "last_event_text", "case_id", "followed_up_at")
    payload_fields = ("last_event_text",)
    payload_customer = "shipment__order__customer"


class NoticeInline(ServiceWrittenInline):
    # No number here: the notice's own page masks it (ShipmentNoticeAdmin.phone_fields).
    model = ShipmentNotice
    fields = ("kind", "rule", "channel", "status", "suppressed_reason", "due_at", "sent_at")


@admin.register(Shipment)
class ShipmentAdmin(_OnTheShipmentPage, KeyedSearchAdmin):
    list_display = [
        *("tracking_number", "courier", "store", "order", "state", "shipped_at", "promised_date", "last_event_at"),
        "is_open",
    ]
    list_filter = ["store", "state", "is_open"]
    list_select_related = ["store", "order__store"]
    # The tracking number leads the (tracking_number, courier, store) index.
    search_fields = ["tracking_number"]
    order_key = "order"
    search_help_text = _("A tracking number or an order number, in full.")
    inlines = [CheckpointInline, DelayInline, NoticeInline]
    shipment_id_field = "pk"
    payload_fields = ("last_event_text",)
    payload_customer = "order__customer"


@admin.register(ShipmentDelay)
class ShipmentDelayAdmin(_OnTheShipmentPage, ServiceWrittenAdmin):
    """Found once per parcel and rule by the delay sweep; what followed (the notice, the call task, the case) is the
    sweep's too."""

    list_display = ["found_at", "store", "shipment", "rule", "state", "followed_up_at"]
    list_filter = ["store", "rule"]
    list_select_related = ["store", "shipment"]
    search_fields = ["shipment__tracking_number__exact"]
    payload_fields = ("last_event_text",)
    payload_customer = "shipment__order__customer"


@admin.register(ShipmentNotice)
class ShipmentNoticeAdmin(_OnTheShipmentPage, ServiceWrittenAdmin):
    """Sent at most once by the SMS sweeper, or handed to an agent as a call task (ADR 0011)."""

    list_display = ["created_at", "store", "shipment", "kind", "rule", "channel", "status", "suppressed_reason"]
    list_filter = ["store", "kind", "channel", "status"]
    list_select_related = ["store", "shipment"]
    search_fields = ["shipment__tracking_number__exact"]
    phone_fields = ("recipient",)
