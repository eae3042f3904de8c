"""Twilio's status callbacks for parcel notice SMS."""

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from logistics.models import ShipmentNotice

Status = ShipmentNotice.Status


def notice_status_record(*, notice_id: int, status: str, sid: str) -> None:
    """A signed status callback: proves acceptance; statuses only move forward."""
    now = timezone.now()
    ShipmentNotice.objects.filter(pk=notice_id).filter(
        Q(status=Status.SENDING) | Q(status=Status.SENT, provider_id=sid)
    ).update(
        status=Status.SENT, provider_id=sid, provider_status=status[:16], sent_at=Coalesce(F("sent_at"), Value(now))
    )
