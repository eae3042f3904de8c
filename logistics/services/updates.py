"""Applying a tracking provider's report to a shipment: checkpoints kept, state moved only forward in time.

Pushes repeat and arrive out of order. Every push carries the parcel's history, so:
- checkpoints are kept by (time, text): a repeated one adds nothing;
- the state is taken from a push only when its newest checkpoint is newer than the newest we hold (at the same
  time: when it brought a checkpoint we did not have, since a parcel's history only grows), so an older push
  after a newer one changes nothing;
- the row is written only when something differs, so the same push five times writes once.
A signed-for state is a delivery: crm's orders_mark_delivered records it once (a delivery the order system
reported first, or reports later, changes nothing) and plans the follow-up exactly as POST /api/v1/deliveries.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from crm import bulk
from crm.services.order_delivery import orders_mark_delivered
from crm.timezones import store_local_datetime, to_store_local
from logistics.db.durability import relaxed_commit
from logistics.db.push_statement import push_apply
from logistics.models import Checkpoint, Shipment, ShipmentState

# Kuaidi100 stops pushing a number it could not follow ("abort"); it asks to resubscribe after 30 minutes.
RESUBSCRIBE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class TrackedCheckpoint:
    at: datetime
    text: str
    location: str = ""
    status: str = ""


@dataclass(frozen=True)
class TrackingUpdate:
    """One provider report, in our terms. `state` is None when the report carries no checkpoint."""

    number: str
    couriers: tuple[str, ...]  # the courier code, and the old one when the provider corrected it
    state: str | None
    checkpoints: list[TrackedCheckpoint] = field(default_factory=list)
    provider_status: str = ""


@dataclass(frozen=True)
class ApplyResult:
    changed: bool
    new_checkpoints: int
    delivered: bool


def _end_of_local_day(shipment: Shipment, moment: datetime) -> datetime:
    day = to_store_local(moment, shipment.store).date()
    return store_local_datetime(shipment.store, day + timedelta(days=1), time.min)


def tracking_apply(*, update: TrackingUpdate, now: datetime | None = None) -> list[ApplyResult]:
    """Apply a provider's push to every shipment with its number and courier (one, in practice); [] if none.

    Its commit does not wait for the disk (logistics.db.durability): the provider's next push carries the same
    history, so a push lost in a crash comes back. A routine push (the parcel moves, no delivery, no resubscription)
    is applied by one statement where the database has it (logistics.db.push_statement, the same rules).
    """
    now = now or timezone.now()
    if update.state != ShipmentState.SIGNED and update.provider_status != "abort":
        applied = push_apply(
            number=update.number,
            couriers=update.couriers,
            state=update.state,
            checkpoints=_distinct(update.checkpoints),
            newest=_newest(update.checkpoints),
            oldest_at=min((c.at for c in update.checkpoints), default=None),
            provider_status=update.provider_status,
            now=now,
        )
        if applied is not None:
            return [ApplyResult(changed=written or added > 0, new_checkpoints=added, delivered=False)
                    for _pk, added, written in applied]  # fmt: skip
    return _tracking_apply_locked(update=update, now=now)


@transaction.atomic
def _tracking_apply_locked(*, update: TrackingUpdate, now: datetime) -> list[ApplyResult]:
    relaxed_commit()
    shipments = list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("store", "order")
        .filter(tracking_number=update.number, courier__in=update.couriers)
        .order_by("pk")
    )
    return [_apply(shipment, update, now) for shipment in shipments]


@transaction.atomic
def shipment_apply_update(*, shipment_id: int, update: TrackingUpdate, now: datetime | None = None) -> ApplyResult:
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("store", "order").get(pk=shipment_id)
    return _apply(shipment, update, now or timezone.now())


def _apply(shipment: Shipment, update: TrackingUpdate, now: datetime) -> ApplyResult:
    before = {name: getattr(shipment, name) for name in _TRACKED_FIELDS}
    added = 0
    if update.checkpoints:
        # One statement; the unique (shipment, time, text) skips what is kept, and the count says what was new.
        added = bulk.insert_ignoring_conflicts(
            Checkpoint,
            [
                {"shipment_id": shipment.pk, "at": c.at, "text": c.text, "location": c.location, "status": c.status,
                 "received_at": now}
                for c in _distinct(update.checkpoints)
            ],
        )  # fmt: skip
        oldest = min(c.at for c in update.checkpoints)
        newest = _newest(update.checkpoints)
        if shipment.first_scan_at is None or oldest < shipment.first_scan_at:
            shipment.first_scan_at = oldest
        if update.state is not None and _is_newer(shipment, newest.at, added):
            _take_state(shipment, update.state, newest)
    if update.provider_status:
        shipment.provider_status = update.provider_status
        if update.provider_status == "abort" and shipment.is_open:
            shipment.resubscribe_after = now + RESUBSCRIBE_AFTER
    changed = [name for name in _TRACKED_FIELDS if getattr(shipment, name) != before[name]]
    if changed:
        shipment.save(update_fields=[*changed, "updated_at"])
    delivered = False
    if "signed_at" in changed and shipment.signed_at is not None:
        delivered = bool(orders_mark_delivered(deliveries=[(shipment.order, shipment.signed_at)]))
    return ApplyResult(changed=bool(changed) or added > 0, new_checkpoints=added, delivered=delivered)


def _distinct(checkpoints: list[TrackedCheckpoint]) -> list[TrackedCheckpoint]:
    """A push's checkpoints without repeats: one per (time, text), the last given."""
    return list({(c.at, c.text): c for c in checkpoints}.values())


def _newest(checkpoints: list[TrackedCheckpoint]) -> TrackedCheckpoint | None:
    """The checkpoint whose state a newer push takes: the latest, the first given among equals."""
    return max(checkpoints, key=lambda c: c.at) if checkpoints else None


def _is_newer(shipment: Shipment, newest_at: datetime, added: int) -> bool:
    """Newer: a later newest checkpoint, or one as new that brought a checkpoint we did not have. (Histories only
    grow: an older push at the same newest time is a part of what we hold, and adds nothing.)"""
    last = shipment.last_event_at
    return last is None or newest_at > last or (newest_at == last and added > 0)


def _take_state(shipment: Shipment, state: str, newest: TrackedCheckpoint) -> None:
    shipment.state = state
    shipment.last_event_at = newest.at
    shipment.last_event_text = newest.text
    shipment.last_event_location = newest.location
    shipment.deliver_by = _end_of_local_day(shipment, newest.at) if state == ShipmentState.OUT_FOR_DELIVERY else None
    if state == ShipmentState.SIGNED:
        shipment.signed_at = shipment.signed_at or newest.at
        shipment.is_open = False
        shipment.resubscribe_after = None
    else:
        shipment.is_open = True


_TRACKED_FIELDS = (
    "state", "first_scan_at", "last_event_at", "last_event_text", "last_event_location", "deliver_by",
    "signed_at", "is_open", "provider_status", "resubscribe_after",
)  # fmt: skip
