"""Celery entry points: take ids (or nothing), call one service, safe to run twice."""

from celery import shared_task

from .services.delays import delays_follow_up, delays_sweep
from .services.shipments import shipment_subscribe, shipments_resubscribe_due, shipments_subscribe


@shared_task(name="logistics.subscribe_many")
def subscribe_many(shipment_ids: list[int]) -> int:
    return shipments_subscribe(shipment_ids=shipment_ids)


@shared_task(name="logistics.subscribe")
def subscribe(shipment_id: int) -> bool:
    # Kept for messages queued before subscriptions went out in chunks.
    return shipment_subscribe(shipment_id=shipment_id)


@shared_task(name="logistics.follow_up")
def follow_up() -> dict:
    report = delays_follow_up()
    return {"delays": report.delays, "call_tasks": report.call_tasks, "cases": report.cases}


@shared_task(name="logistics.sweep")
def sweep() -> dict:
    # Beat runs this every LOGISTICS_SWEEP_INTERVAL_SECONDS; overlapping runs share rows through SKIP LOCKED.
    shipments_resubscribe_due()
    # The notices it plans go out with every other SMS (beat's callbacks.dispatch_sms, a registered queue).
    report = delays_sweep()
    followed = delays_follow_up()
    return {"found": report.found, "cases": followed.cases, "call_tasks": followed.call_tasks}
