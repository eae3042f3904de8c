"""AfterShip tracking webhooks (../shared/PROVIDERS.md; aftership.com/docs/tracking): body to a TrackingUpdate.

POST JSON {ts, event, event_id, msg}; msg is the tracking (tracking_number, slug, tag, subtag, checkpoints[]).
The signature (aftership-hmac-sha256, base64 HMAC-SHA256 of the raw body with the store's webhook secret) is
checked by logistics.services.hooks.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from logistics.models import ProviderEvent, ShipmentState
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate

from .base import check_text, check_times

TAGS = {
    "InfoReceived": ShipmentState.PENDING,
    "InTransit": ShipmentState.IN_TRANSIT,
    "OutForDelivery": ShipmentState.OUT_FOR_DELIVERY,
    "AvailableForPickup": ShipmentState.OUT_FOR_DELIVERY,
    "AttemptFail": ShipmentState.PROBLEM,
    "Delivered": ShipmentState.SIGNED,
    "Exception": ShipmentState.EXCEPTION,
    "Expired": ShipmentState.LOST,
}
REFUSED_SUBTAG = "Exception_003"
MAX_EVENT_ID = ProviderEvent._meta.get_field("event_id").max_length  # the dedupe key is stored


class EventInvalid(ValueError):
    pass


@dataclass(frozen=True)
class AfterShipEvent:
    event_id: str
    event: str
    update: TrackingUpdate
    # A checkpoint_time came without an offset (read in the zone event_parse was given).
    local_times: bool = False


def _moment(text: str, zone: tzinfo) -> datetime:
    """checkpoint_time as the carrier gave it: with an offset, or without one (a wall time, or a day alone) in the
    checkpoint's own zone, which AfterShip does not name: `zone`, the shipping store's."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _has_offset(text: str) -> bool:
    return datetime.fromisoformat(text).tzinfo is not None


def _state(tag: str, subtag: str) -> str:
    if subtag == REFUSED_SUBTAG:
        return ShipmentState.REFUSED
    return TAGS.get(tag, ShipmentState.IN_TRANSIT)


def event_parse(body: bytes, *, zone: tzinfo = UTC) -> AfterShipEvent:
    """The event, its checkpoint times without an offset read in `zone` (`local_times` says there were some: the
    caller, once it knows the parcel's store, parses again in the store's zone)."""
    try:
        data = json.loads(body)
        event_id = data["event_id"]
        if not isinstance(event_id, str) or len(event_id) > MAX_EVENT_ID:
            raise ValueError(f"event_id must be a string of at most {MAX_EVENT_ID} characters")
        kind = str(data.get("event") or "")
        msg = data.get("msg") or {}
        number = str(msg.get("tracking_number") or "").strip()
        checkpoints = []
        if kind != "tracking_pending_time":
            checkpoints = [
                TrackedCheckpoint(
                    at=_moment(item["checkpoint_time"], zone),
                    text=str(item.get("message") or "")[:500],
                    location=str(item.get("location") or "")[:100],
                    status=str(item.get("subtag") or item.get("tag") or "")[:40],
                )
                for item in msg.get("checkpoints") or []
            ]
        newest_tag = str(msg.get("tag") or "")
        state = _state(newest_tag, str(msg.get("subtag") or "")) if checkpoints else None
        slug = str(msg.get("slug") or "")
        check_text(event_id, number, slug, *(text for c in checkpoints for text in (c.text, c.location, c.status)))
        check_times(*(c.at for c in checkpoints))
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        # Overflow: a time in year 1. Recursion: json.loads of arrays or objects nested thousands deep.
        raise EventInvalid(str(exc)) from exc
    if not event_id or not number:
        raise EventInvalid("event_id and msg.tracking_number are required")
    update = TrackingUpdate(number=number, couriers=(slug,), state=state, checkpoints=checkpoints)
    local_times = bool(checkpoints) and not all(
        _has_offset(item["checkpoint_time"]) for item in msg.get("checkpoints") or []
    )
    return AfterShipEvent(event_id=event_id, event=kind, update=update, local_times=local_times)
