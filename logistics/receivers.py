"""How logistics hears about crm's events and extends crm's order API, connected in AppConfig.ready()."""

from functools import partial

from rest_framework import serializers

from crm.api.order_fields import OrderField, order_field_register
from crm.errors import BatchInvalid
from crm.services.ingestion.inputs import OrderInput
from crm.signals import orders_upserted, store_timezone_changed

from .api.rows import read_promised_date
from .errors import TrackingNumberTaken
from .services.shipments import ShipmentInput, shipments_created, shipments_store


def track_shipped_orders(sender, *, orders, **_kwargs):
    """An order upsert that carries a courier, a tracking number and a shipping time reports a shipment too.

    An order re-sent exactly as stored reports nothing new: its parcel was recorded when those fields were stored,
    in that same transaction (ADR 0021). It passes only with a promised date, which the order row does not keep.
    The parcels are stored now, before the batch's customers; their shipping notices, which read the customer, are
    returned to run once the customers are stored (crm.signals.orders_upserted). A number that belongs to another
    order is refused, naming the row, as POST /api/v1/shipments refuses it."""
    shipments = [
        ShipmentInput(
            store_id=order.store_id,
            order_id=result.id,
            courier=order.courier,
            tracking_number=order.tracking_number,
            shipped_at=order.shipped_at,
            promised_date=order.extras.get("promised_delivery_date"),
            order_external_id=order.external_id,
            likely_new=result.created,
        )
        for order, result in orders
        if order.courier
        and order.tracking_number
        and order.shipped_at
        and (result.changed or order.extras.get("promised_delivery_date") is not None)
    ]
    if not shipments:
        return None
    try:
        created = shipments_store(shipments=shipments).created
    except TrackingNumberTaken as exc:
        # Named by row, as POST /api/v1/shipments names them: `orders` are the batch's rows in order, one per order.
        rows = {result.id: index for index, (_order, result) in enumerate(orders)}
        raise BatchInvalid(
            [
                {
                    "index": rows[shipments[p].order_id],
                    "field": "tracking_number",
                    "code": exc.code,
                    "message": exc.message,
                }
                for p in exc.positions
            ]
        ) from None
    return partial(shipments_created, shipments=created) if created else None


def follow_the_stores_new_zone(sender, *, store, now, **_kwargs) -> None:
    """A store moved to another time zone: its parcels' deadlines and held notices follow it (ADR 0029), in the zone
    change's transaction. Connected after callbacks' receiver (callbacks is installed first), which moves the call
    tasks whose windows the call notices show."""
    from .services.zone import logistics_follow_store_zone

    logistics_follow_store_zone(store=store, now=now)


def follow_the_stores_new_hours(sender, *, store, policy, now, **_kwargs) -> None:
    """New SMS or call hours on the store's follow-up policy: the notices held for them follow (ADR 0029), in the
    policy change's transaction, after callbacks has moved the call tasks the call notices show."""
    from .services.zone import logistics_follow_store_hours

    logistics_follow_store_hours(store=store, policy=policy, now=now)


def connect() -> None:
    from callbacks.signals import call_tasks_withdrawn, followup_outcome_logged, store_hours_changed

    from .services import notices

    notices.register()
    # A parcel's call task's outcome (or "missed"), logged by callbacks, lands on the parcel's call notice.
    followup_outcome_logged.connect(notices.parcel_call_outcome_record, dispatch_uid="logistics.call_outcome")
    call_tasks_withdrawn.connect(notices.parcel_calls_withdrawn, dispatch_uid="logistics.calls_withdrawn")
    orders_upserted.connect(track_shipped_orders, sender=OrderInput, dispatch_uid="logistics.track_shipped_orders")
    store_timezone_changed.connect(follow_the_stores_new_zone, dispatch_uid="logistics.follow_the_stores_new_zone")
    store_hours_changed.connect(follow_the_stores_new_hours, dispatch_uid="logistics.follow_the_stores_new_hours")
    order_field_register(
        OrderField(
            name="promised_delivery_date",
            read=read_promised_date,
            schema=lambda: serializers.DateField(
                required=False,
                allow_null=True,
                help_text="With courier, tracking_number and shipped_at: the parcel is tracked as by "
                "POST /api/v1/shipments, late after this date (the store's time zone).",
            ),
        )
    )
