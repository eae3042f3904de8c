"""Shipments as order systems report them, and their subscription at the tracking provider."""

import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm import bulk
from crm.models import ApiToken, InboundEvent, Store
from crm.services.ingestion.events import inbound_events_record
from crm.timezones import store_local_datetime
from logistics.errors import TrackingNumberTaken
from logistics.models import Shipment, ShipmentState
from logistics.tracking import Subscription, SubscriptionRefused, TrackingError, get_backend


class ShipmentInput(NamedTuple):
    """Built for every shipped order of an order batch: a tuple, cheaper to make than a frozen dataclass."""

    store_id: int
    order_id: int
    courier: str
    tracking_number: str
    shipped_at: datetime
    promised_date: date | None = None
    order_external_id: str = ""  # for answers; the service keys on order_id
    # Reported with an order this batch created: its number is then most likely new, so it is inserted first
    # and read only if that finds it stored. Only the order of the statements depends on it, not the outcome.
    likely_new: bool = False

    @property
    def key(self) -> tuple[int, str, str]:
        """What the shipment is unique by (_KEY): store, courier, number."""
        return self.store_id, self.courier, self.tracking_number


class ShipmentResult(NamedTuple):
    id: int
    result: str  # created, updated, unchanged
    state: str


def _promised_by(store: Store | None, day: date | None) -> datetime | None:
    """The end of the promised day in the store's time zone: late from the next local midnight on."""
    return None if day is None else store_local_datetime(store, day + timedelta(days=1), time.min)


# What is read of a stored shipment, and what a report may change in it.
_STORED = (
    "id", "store_id", "order_id", "courier", "tracking_number", "shipped_at", "promised_date", "promised_by", "state",
)  # fmt: skip
_CHANGEABLE = ["shipped_at", "promised_date", "promised_by"]
_KEY = ("store_id", "courier", "tracking_number")  # the fields of the unique constraint


def _changes(row: dict, item: ShipmentInput, promised_by: datetime | None) -> dict:
    """What a report changes in a shipment. The order a number belongs to never changes here (a report of another
    order's number is refused, see shipments_store); a promised date left out keeps the one that is known."""
    new = {"shipped_at": item.shipped_at}
    if item.promised_date is not None:
        new |= {"promised_date": item.promised_date, "promised_by": promised_by}
    return {name: value for name, value in new.items() if row[name] != value}


class _Folded(NamedTuple):
    row: dict  # the shipment as the reports leave it
    changed: bool  # differs from the row the reports were applied to
    answers: list[str]  # created, updated or unchanged: one per report, in order


def _fold(stored: dict | None, reports: list[ShipmentInput], stores: dict, now: datetime) -> _Folded:
    """Apply one number's reports, in order, to its stored row, or to a new row when it is not stored (a later
    report in the same batch then changes that row, as it would in two batches)."""
    answers = []
    row = None if stored is None else dict(stored)
    for item in reports:
        promised_by = _promised_by(stores.get(item.store_id), item.promised_date)
        if row is None:  # these columns; the model's defaults give the rest
            row = {
                "store_id": item.store_id,
                "order_id": item.order_id,
                "courier": item.courier,
                "tracking_number": item.tracking_number,
                "shipped_at": item.shipped_at,
                "promised_date": item.promised_date,
                "promised_by": promised_by,
                # The sweep subscribes it should the task below be lost; a subscription clears it.
                "resubscribe_after": now,
            }
            answers.append("created")
            continue
        changes = _changes(row, item, promised_by)
        row.update(changes)
        answers.append("updated" if changes else "unchanged")
    changed = stored is not None and any(row[name] != stored[name] for name in _CHANGEABLE)
    return _Folded(row, changed, answers)


def _stored_rows(keys: set[tuple]) -> dict[tuple, dict]:
    """The stored shipments of these keys, locked until commit, probed through the unique index (__key_in)."""
    rows = (
        Shipment.objects.select_for_update(of=("self",))
        .filter(store_id__in={k[0] for k in keys}, tracking_number__key_in={k[2] for k in keys})
        .values(*_STORED)
    )
    return {key: row for row in rows if (key := tuple(row[name] for name in _KEY)) in keys}


class Stored(NamedTuple):
    results: list[ShipmentResult]  # one per report, in order
    created: list[tuple[int, int]]  # (store id, shipment id) of the shipments this call inserted


@transaction.atomic
def shipments_record(
    *,
    shipments: list[ShipmentInput],
    payloads: list[dict[str, Any]] | None = None,
    token: ApiToken | None = None,
) -> list[ShipmentResult]:
    """Create or update shipments by (store, courier, tracking number); a repeat changes nothing. A new shipment
    gets what `shipments_created` gives it. `payloads`, the rows as sent (one per shipment), go to the inbound
    log under the order's external id, once per distinct payload."""
    stored = shipments_store(shipments=shipments)
    shipments_created(shipments=stored.created)
    if payloads is not None:
        inbound_events_record(
            kind=InboundEvent.Kind.SHIPMENT,
            token=token,
            received_at=timezone.now(),
            events=[
                (item.store_id, item.order_external_id, payload)
                for item, payload in zip(shipments, payloads, strict=True)
            ],
        )
    return stored.results


def shipments_created(*, shipments: list[tuple[int, int]]) -> None:
    """What new shipments, given as (store id, shipment id), get once their orders' customers are stored: the
    store's shipping notice when the store turned it on, and their subscription at the tracking provider once the
    transaction commits (logistics.subscribe_many, in chunks)."""
    if not shipments:
        return
    from logistics.services.notices import shipping_notices_plan

    shipping_notices_plan(shipment_ids=shipments)
    new_ids = sorted(pk for _store_id, pk in shipments)
    transaction.on_commit(lambda: _enqueue_subscriptions(new_ids))


@transaction.atomic
def shipments_store(*, shipments: list[ShipmentInput]) -> Stored:
    """The shipments' rows alone, created or updated; reads no customer, so an order batch stores its parcels
    before its customers (ADR 0019). The caller passes `Stored.created` to `shipments_created`. A number that belongs
    to another order (stored, or reported first in these reports) is refused: TrackingNumberTaken.

    Every shipped order of an order batch passes here: numbers reported with a new order are inserted first,
    skipping any stored already, the others read (and locked) first, so each number costs one statement in the
    common case. A number a concurrent batch inserts meanwhile is skipped by the insert and found by the next read.
    Rows stay plain dicts: no model instance is built for them (ADR 0019).
    """
    if not shipments:
        return Stored([], [])
    # A store's time zone places a promised day; most reports promise none, and then no store is read.
    stores = Store.objects.in_bulk({s.store_id for s in shipments if s.promised_date is not None})
    now = timezone.now()
    reports: dict[tuple, list[ShipmentInput]] = defaultdict(list)
    for item in shipments:
        reports[item.key].append(item)
    to_insert = {key for key, items in reports.items() if items[0].likely_new}
    to_read = reports.keys() - to_insert
    stored: dict[tuple, dict] = {}
    created: dict[tuple, _Folded] = {}
    ids: dict[tuple, int] = {}
    for _attempt in range(3):  # insert what is new, read what is stored, until every number is one or the other
        if to_insert:
            fresh = {key: _fold(None, reports[key], stores, now) for key in to_insert}
            inserted = bulk.insert_new(Shipment, [folded.row for folded in fresh.values()], key=_KEY)
            created |= {key: fresh[key] for key in inserted}
            ids |= inserted
            to_read, to_insert = to_read | (to_insert - inserted.keys()), set()
        if to_read:
            found = _stored_rows(to_read)
            stored |= found
            to_insert, to_read = to_read - found.keys(), set()
        if not to_insert and not to_read:
            break
    else:
        raise RuntimeError("shipments kept being inserted and removed by concurrent transactions")
    updated = {key: _fold(row, reports[key], stores, now) for key, row in stored.items()}
    owners = {key: folded.row["order_id"] for key, folded in (created | updated).items()}
    if taken := [position for position, item in enumerate(shipments) if owners[item.key] != item.order_id]:
        raise TrackingNumberTaken(taken)  # rolls back what was inserted
    if changed := [f.row for f in updated.values() if f.changed]:
        bulk.update_rows(Shipment, [(row["id"], *(row[n] for n in _CHANGEABLE)) for row in changed], fields=_CHANGEABLE)
    answers = {key: iter(folded.answers) for key, folded in (created | updated).items()}
    pending = ShipmentState.PENDING.value
    results = []
    for item in shipments:
        key = item.key
        row = stored.get(key)
        results.append(
            ShipmentResult(row["id"], next(answers[key]), row["state"])
            if row is not None
            else ShipmentResult(ids[key], next(answers[key]), pending)
        )
    return Stored(results, [(key[0], pk) for key, pk in ids.items()])


# Subscriptions are queued in chunks: a broker message per shipment would cost an order batch more than its own
# work, and a chunk still spreads a large batch over the workers.
SUBSCRIBE_CHUNK = 250


def _enqueue_subscriptions(ids: list[int]) -> None:
    from logistics.tasks import subscribe_many

    for start in range(0, len(ids), SUBSCRIBE_CHUNK):
        chunk = ids[start : start + SUBSCRIBE_CHUNK]
        # argsrepr: the message's summary for monitoring; celery would otherwise render all 250 ids.
        subscribe_many.apply_async((chunk,), argsrepr=f"({len(chunk)} shipments from {chunk[0]})")


def kuaidi100_callback_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("logistics_hooks:kuaidi100")


def shipment_subscribe(*, shipment_id: int) -> bool:
    """Subscribe one shipment at the provider (no transaction is held over the request). True when done.

    A temporary failure leaves it for the sweeper (resubscribe_after); a refusal is recorded and not retried.
    """
    shipment = Shipment.objects.select_related("order__customer").get(pk=shipment_id)
    if not shipment.is_open:
        return False
    phone = shipment.order.customer.phone[-4:] if shipment.order.customer.phone else ""
    subscription = Subscription(
        courier=shipment.courier,
        number=shipment.tracking_number,
        callback_url=kuaidi100_callback_url(),
        salt=settings.KUAIDI100_SALT,
        phone=phone if shipment.courier == "shunfeng" else "",
    )
    now = timezone.now()
    try:
        get_backend().subscribe(subscription)
    except SubscriptionRefused as exc:
        Shipment.objects.filter(pk=shipment_id).update(
            subscribe_error=f"{exc.code} {exc}"[:200], resubscribe_after=None, updated_at=now
        )
        return False
    except TrackingError as exc:
        # Retried by the sweep; a little jitter so a provider outage does not come back as one burst.
        retry = now + timedelta(minutes=5, seconds=secrets.randbelow(120))
        Shipment.objects.filter(pk=shipment_id).update(
            subscribe_error=str(exc)[:200], resubscribe_after=retry, updated_at=now
        )
        return False
    Shipment.objects.filter(pk=shipment_id).update(
        subscribed_at=now, subscribe_error="", resubscribe_after=None, updated_at=now
    )
    return True


def shipments_subscribe(*, shipment_ids: list[int]) -> int:
    """Subscribe each shipment in turn (one failing leaves the others to go on); how many were done."""
    return sum(shipment_subscribe(shipment_id=pk) for pk in shipment_ids)


def shipments_resubscribe_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Subscribe again what the provider aborted (after its 30 minutes) or a failure left behind."""
    now = now or timezone.now()
    ids = list(
        Shipment.objects.filter(resubscribe_after__lte=now, is_open=True)
        .order_by("resubscribe_after")
        .values_list("pk", flat=True)[:limit]
    )
    return shipments_subscribe(shipment_ids=ids)
