"""Stuck rows (`sending` past any request in flight) asked of the provider before anything is sent again."""

import time
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from callbacks.models import SMS_GAVE_UP, UNDELIVERED_STATUSES, FollowUp
from callbacks.telephony import ProviderMessage, TelephonyBackend, TelephonyError, get_backend
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
    as it is. A message found at the provider is what the provider reports of it, recorded by the function its status
    callback goes through (`inbound.sms_report_record`): found already `failed` or `undelivered`, it has their
    consequences (a care SMS `failed`, what was merged into it covered again; 21610 opts the customer and the number
    out), once, whichever of this and the late callback comes first. A care SMS given up on (`gave_up`: never found at
    the provider after its attempts, so never sent) is no contact: what was merged into it is covered again
    (`queue.cover_withdrawn`, ADR 0051). The numbers of 21610 reports are locked first, then the customers those
    write about, before any row of the batch (ADR 0037)."""
    # services.inbound and numbers read the queues registered with this package; imported here so that they can see it.
    from ..carrier_opt_out import is_carrier_opt_out
    from ..inbound import sms_report_record
    from ..numbers import numbers_lock

    model = queue.model
    now = timezone.now()
    failed = [
        (row, answer)
        for row, answer in rows_and_answers
        if isinstance(answer, ProviderMessage) and answer.status in UNDELIVERED_STATUSES
    ]
    covers = queue.cover_withdrawn is not None
    with transaction.atomic():
        numbers_lock(row.recipient for row, answer in failed if is_carrier_opt_out(answer.error_code))
        customers_lock([
            *(row.customer_id for row, answer in rows_and_answers if covers and _gives_up(row, answer)),
            *(row.customer_id for row, answer in failed if covers or is_carrier_opt_out(answer.error_code)),
        ])  # fmt: skip
        gave_up = []
        for row, answer in rows_and_answers:
            if isinstance(answer, TelephonyError):
                report.errors.append(f"reconcile {row.pk}: {answer}")
                continue  # the provider cannot tell us now: stay in `sending`, ask again next sweep
            claim = model.objects.filter(pk=row.pk, status=Status.SENDING, claimed_at=row.claimed_at)
            if answer is not None:
                found = claim.select_for_update().first()
                if found is None:
                    continue
                sms_report_record(
                    row=found, sid=answer.sid, status=answer.status, error_code=answer.error_code, at=now,
                    withdraw=queue.cover_withdrawn,
                )  # fmt: skip
                if found.status == Status.SENDING:  # a status Twilio has that no report moves (canceled, ...)
                    claim.update(status=Status.SENT, provider_id=answer.sid, provider_status=answer.status,
                                 sent_at=now, updated_at=now)  # fmt: skip
                report.reconciled_sent += 1
                continue
            if _gives_up(row, answer):
                changes = {"status": Status.FAILED, "outcome": SMS_GAVE_UP}
            else:
                changes = {"status": Status.PLANNED, "claimed_at": None}
            if not claim.update(**changes, updated_at=now):
                continue
            if changes["status"] == Status.FAILED:
                report.failed += 1
                gave_up.append(row.pk)
            else:
                report.reconciled_replanned += 1
        if gave_up and covers:
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
