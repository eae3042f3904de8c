"""Twilio's status callbacks for parcel notice SMS."""

from callbacks.services.inbound import queue_message_status_record
from logistics.models import ShipmentNotice


def notice_status_record(*, notice_id: int, payload: dict[str, str]) -> ShipmentNotice | None:
    """A signed status callback, kept as it came and applied as on every SMS queue's rows
    (callbacks.services.inbound.sms_status_apply): it proves acceptance; statuses only move forward; one without a sid
    or with an unknown status changes nothing."""
    return queue_message_status_record(queue="parcel_notices", model=ShipmentNotice, row_id=notice_id, payload=payload)
