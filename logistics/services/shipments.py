"""Shipments as order systems report them, and their subscription at the tracking provider."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm import bulk
from crm.models import Store
from crm.timezones import store_local_datetime
from logistics.models import Shipment
from logistics.tracking import Subscription, SubscriptionRefused, TrackingError, get_backend


@dataclass(frozen=True, slots=True)
class ShipmentInput:
    store_id: int
    order_id: int
    courier: str
    tracking_number: str
    shipped_at: datetime
    promised_date: date | None = None
    order_external_id: str = ""  # for answers; the service keys on order_id


@dataclass(frozen=True, slots=True)
class ShipmentResult:
    shipment: Shipment
    result: str  # created, updated, unchanged


def _promised_by(store: Store, day: date | None) -> datetime | None:
    """The end of the promised day in the store's time zone: late from the next local midnight on."""
    return None if day is None else store_local_datetime(store, day + timedelta(days=1), time.min)


# What a new shipment is created with (the model's defaults give the rest).
_NEW_FIELDS = ("store_id", "order_id", "courier", "tracking_number", "shipped_at", "promised_date", "promised_by",
               "resubscribe_after")  # fmt: skip


@transaction.atomic
def shipments_record(*, shipments: list[ShipmentInput]) -> list[ShipmentResult]:
    """Create or update shipments by (store, courier, tracking number); a repeat changes nothing.

    A new shipment is subscribed at the tracking provider once the transaction commits (logistics.subscribe_many,
    in chunks), and gets the store's shipping notice when the store turned it on.
    """
    if not shipments:
        return []
    stores = Store.objects.in_bulk({s.store_id for s in shipments})
    keys = {(s.store_id, s.courier, s.tracking_number) for s in shipments}
    existing = {
        (row.store_id, row.courier, row.tracking_number): row
        for row in Shipment.objects.select_for_update(of=("self",)).filter(
            store_id__in={k[0] for k in keys}, tracking_number__any_of={k[2] for k in keys}
        )
        if (row.store_id, row.courier, row.tracking_number) in keys
    }
    results, created, changed = [], [], []
    for item in shipments:
        key = (item.store_id, item.courier, item.tracking_number)
        promised_by = _promised_by(stores[item.store_id], item.promised_date)
        row = existing.get(key)
        if row is None:
            row = existing[key] = Shipment(
                store_id=item.store_id,
                order_id=item.order_id,
                courier=item.courier,
                tracking_number=item.tracking_number,
                shipped_at=item.shipped_at,
                promised_date=item.promised_date,
                promised_by=promised_by,
                # The sweep subscribes it should the task below be lost; a subscription clears it.
                resubscribe_after=timezone.now(),
            )
            created.append(row)
            results.append(ShipmentResult(row, "created"))
            continue
        # The order a number belongs to never changes here (the API refuses such a row before).
        new = {"shipped_at": item.shipped_at}
        if item.promised_date is not None:  # absent keeps what is known
            new |= {"promised_date": item.promised_date, "promised_by": promised_by}
        fields = [name for name, value in new.items() if getattr(row, name) != value]
        for name in fields:
            setattr(row, name, new[name])
        if fields and row.pk is not None and row not in changed:
            changed.append(row)
        results.append(ShipmentResult(row, "updated" if fields else "unchanged"))
    if changed:
        Shipment.objects.bulk_update(changed, ["shipped_at", "promised_date", "promised_by", "updated_at"])
    if created:
        # Every shipped order of an order batch passes here: crm.bulk's COPY, ids drawn first (ADR 0019).
        rows = [{name: getattr(row, name) for name in _NEW_FIELDS} for row in created]
        for row, pk in zip(created, bulk.copy_rows(Shipment, rows, ids=True), strict=True):
            row.pk = pk
            row._state.adding = False
        from logistics.services.notices import shipping_notices_plan

        shipping_notices_plan(shipments=created)
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: _enqueue_subscriptions(ids))
    return results


# Subscriptions are queued in chunks: a broker message per shipment would cost an order batch more than its own
# work, and a chunk still spreads a large batch over the workers.
SUBSCRIBE_CHUNK = 250


def _enqueue_subscriptions(ids: list[int]) -> None:
    from logistics.tasks import subscribe_many

    for start in range(0, len(ids), SUBSCRIBE_CHUNK):
        subscribe_many.delay(ids[start : start + SUBSCRIBE_CHUNK])


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
