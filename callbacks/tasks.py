"""Celery entry points: take ids (or nothing), call one service, safe to run twice."""

from celery import shared_task

from .services.calls import calls_reconcile_stuck
from .services.dispatch import sms_dispatch_due


@shared_task(name="callbacks.dispatch_sms")
def dispatch_sms() -> dict:
    # Beat runs this every SMS_SWEEP_INTERVAL_SECONDS; overlapping runs share the work through SKIP LOCKED.
    report = sms_dispatch_due()
    return {"sent": report.sent, "failed": report.failed, "unknown": report.unknown}


@shared_task(name="callbacks.reconcile_calls")
def reconcile_calls() -> dict:
    # Beat runs this with the SMS sweep: a click's call whose provider answer was lost is settled at the provider.
    return {"settled": calls_reconcile_stuck()}
