"""Twilio's status callbacks for parcel notice SMS."""

from django.db import transaction

from callbacks.services.inbound import sms_status_apply
from logistics.models import ShipmentNotice


@transaction.atomic
def notice_status_record(*, notice_id: int, status: str, sid: str) -> None:
    """A signed status callback, applied as on every SMS queue's rows (callbacks.services.inbound.sms_status_apply):
    it proves acceptance; statuses only move forward; one without a sid or with an unknown status changes nothing."""
    notice = ShipmentNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is not None:
        sms_status_apply(row=notice, sid=sid, status=status)
