"""The registered SMS queues, and the sweep over them that beat runs (callbacks.dispatch_sms)."""

import time

from django.conf import settings

from .care import CARE_SMS
from .queues import SmsQueue
from .reconciling import sms_reconcile_stuck
from .report import DispatchReport
from .sending import dispatch_queue

_queues: dict[str, SmsQueue] = {CARE_SMS.name: CARE_SMS}


def sms_queue_register(queue: SmsQueue) -> None:
    """Called from an app's ready(): its rows are then swept with the care SMS (beat's callbacks.dispatch_sms)."""
    _queues[queue.name] = queue


def sms_queues() -> list[SmsQueue]:
    """Every registered queue, care first: the tables that hold what the stores' SMS were, and to which number."""
    return list(_queues.values())


def sms_dispatch_due(*, time_budget: float | None = None, queues: list[str] | None = None) -> DispatchReport:
    """Reconcile stuck rows, then claim and send due SMS of each queue (care first) in batches until none is due
    or time is up. `queues` limits the sweep to the named queues."""
    report = DispatchReport()
    budget = time_budget if time_budget is not None else 4 * settings.SMS_SWEEP_INTERVAL_SECONDS
    stop_at = time.monotonic() + budget
    for name, queue in list(_queues.items()):
        if queues is None or name in queues:
            sms_reconcile_stuck(report=report, time_budget=max(0.0, stop_at - time.monotonic()), queue=queue)
            dispatch_queue(queue, report=report, stop_at=stop_at)
    return report
