"""Celery entry points: take ids (or nothing), call one service, safe to run twice."""

from celery import shared_task

from .services.calls import calls_reconcile_stuck
from .services.dispatch import sms_dispatch_due
from .services.missed import followups_close_missed


@shared_task(name="callbacks.dispatch_sms")
def dispatch_sms() -> dict:
    # Beat runs this every SMS_SWEEP_INTERVAL_SECONDS; overlapping runs share the work through SKIP LOCKED.
    report = sms_dispatch_due()
    return {"sent": report.sent, "failed": report.failed, "unknown": report.unknown}


@shared_task(name="callbacks.reconcile_calls")
def reconcile_calls() -> dict:
    # Beat runs this with the SMS sweep: a click's call whose provider answer was lost is settled at the provider.
    return {"settled": calls_reconcile_stuck()}


@shared_task(name="callbacks.close_missed_calls")
def close_missed_calls() -> dict:
    # Beat runs this every minute: a call follow-up whose window ended uncalled is closed as missed (its care SMS
    # planned, its task's app told), one called whose outcome nobody logged as not logged; overlapping runs share the
    # rows through SKIP LOCKED.
    report = followups_close_missed()
    return {"missed": report.missed, "care_sms": report.care_sms, "not_logged": report.not_logged}
