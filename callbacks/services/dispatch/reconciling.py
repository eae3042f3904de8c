"""Stuck rows (`sending` past any request in flight) asked of the provider before anything is sent again."""

import time
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from callbacks.models import SMS_GAVE_UP, FollowUp
from callbacks.telephony import TelephonyBackend, TelephonyError, get_backend
from crm.services.locks import customers_lock

from .care import CARE_SMS
from .deadlines import CLOCK_SKEW, reconcile_cutoff
from .queues import SmsQueue, Status
from .report import DispatchReport
from .threads import sender_threads

SMS_MAX_ATTEMPTS = 5


def _lookup(row: FollowUp, *, backend: TelephonyBackend):
    """Runs in a sender thread: HTTP only. The provider's message for this claim, None, or the TelephonyError."""
    try:
        # A row claimed before claims recorded their number (by a worker still running the old code while the
        # migration ran) has none: the customer's phone is then the best guess there is.
        to = row.recipient or row.customer.phone
        found = backend.list_messages(to=to, sent_after=row.claimed_at - CLOCK_SKEW)
    except TelephonyError as exc:
        return exc
    return next((m for m in found if m.body == row.message_body), None)


def _reconcile_record(rows_and_answers: list[tuple[FollowUp, object]], report: DispatchReport, queue: SmsQueue) -> None:
    """One short transaction per batch, each row guarded by its claim (ADR 0011, step 4): a row that moved on
    while the provider was being asked (a status callback proved it sent, another sweep got there first) is left
    as it is. A care SMS given up on (`gave_up`: never found at the provider after its attempts, so never sent) is no
    contact: what was merged into it is covered again (`queue.cover_withdrawn`, ADR 0051), its customer locked first,
    before any row of the batch is written (ADR 0037)."""
    model = queue.model
    now = timezone.now()
    with transaction.atomic():
        if queue.cover_withdrawn is not None:
            customers_lock(row.customer_id for row, answer in rows_and_answers if _gives_up(row, answer))
        gave_up = []
        for row, answer in rows_and_answers:
            if isinstance(answer, TelephonyError):
                report.errors.append(f"reconcile {row.pk}: {answer}")
                continue  # the provider cannot tell us now: stay in `sending`, ask again next sweep
            if answer is not None:
                changes = {"status": Status.SENT, "provider_id": answer.sid, "provider_status": answer.status,
                           "sent_at": now}  # fmt: skip
            elif _gives_up(row, answer):
                changes = {"status": Status.FAILED, "outcome": SMS_GAVE_UP}
            else:
                changes = {"status": Status.PLANNED, "claimed_at": None}
            updated = model.objects.filter(pk=row.pk, status=Status.SENDING, claimed_at=row.claimed_at).update(
                **changes, updated_at=now
            )
            if not updated:
                continue
            if answer is not None:
                report.reconciled_sent += 1
            elif changes["status"] == Status.FAILED:
                report.failed += 1
                gave_up.append(row.pk)
            else:
                report.reconciled_replanned += 1
        if gave_up and queue.cover_withdrawn is not None:
            queue.cover_withdrawn(gave_up, now)


def _gives_up(row: FollowUp, answer) -> bool:
    """Not found at the provider on the row's last attempt: no more claims for it."""
    return answer is None and row.attempts >= SMS_MAX_ATTEMPTS


def sms_reconcile_stuck(
    *, report: DispatchReport | None = None, time_budget: float | None = None, queue: SmsQueue = CARE_SMS
) -> DispatchReport:
    """Rows in `sending` past any in-flight request: ask the provider what it accepted before a resend.

    Every stuck row is resolved in this call (until `time_budget` seconds are spent), in small batches: a batch
    is read without locks, looked up at the provider in parallel by the sender threads with no transaction open,
    then written in one short transaction, row by row guarded by its claim. So a slow provider costs wall time
    divided by the threads, and never holds rows locked or a session idle in a transaction (ADR 0011).
    """
    report = report or DispatchReport()
    cutoff = reconcile_cutoff()
    stop_at = time.monotonic() + (time_budget if time_budget is not None else 4 * settings.SMS_SWEEP_INTERVAL_SECONDS)
    backend, senders = get_backend(), sender_threads()
    batch_size = max(1, min(settings.SMS_BATCH_SIZE, 4 * settings.SMS_SEND_THREADS))
    asked: set[int] = set()  # a row the provider could not answer for is asked again next sweep, not in a loop
    while time.monotonic() < stop_at:
        rows = list(
            queue.model.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .exclude(pk__in=asked)
            .select_related("customer")
            .only("id", "claimed_at", "attempts", "message_body", "recipient", "customer__phone")
            .order_by("claimed_at", "id")[:batch_size]
        )
        if not rows:
            break
        asked.update(row.pk for row in rows)
        answers = senders.map(partial(_lookup, backend=backend), rows)
        _reconcile_record(list(zip(rows, answers, strict=True)), report, queue)
    return report
