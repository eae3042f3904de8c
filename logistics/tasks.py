"""Celery entry points: take ids (or nothing), call one service, safe to run twice."""

from celery import shared_task

from .services.delays import delays_follow_up, delays_sweep
from .services.notices import notices_send_due
from .services.shipments import shipment_subscribe, shipments_resubscribe_due


@shared_task(name="logistics.subscribe")
def subscribe(shipment_id: int) -> bool:
    return shipment_subscribe(shipment_id=shipment_id)


@shared_task(name="logistics.send_notices")
def send_notices() -> dict:
    report = notices_send_due()
    return {"sent": report.sent, "failed": report.failed, "suppressed": report.suppressed}


@shared_task(name="logistics.follow_up")
def follow_up() -> dict:
    report = delays_follow_up()
    return {"delays": report.delays, "call_tasks": report.call_tasks, "cases": report.cases}


@shared_task(name="logistics.sweep")
def sweep() -> dict:
    # Beat runs this every LOGISTICS_SWEEP_INTERVAL_SECONDS; overlapping runs share rows through SKIP LOCKED.
    shipments_resubscribe_due()
    report = delays_sweep()
    followed = delays_follow_up()
    sent = notices_send_due()
    return {"found": report.found, "cases": followed.cases, "call_tasks": followed.call_tasks, "sent": sent.sent}
