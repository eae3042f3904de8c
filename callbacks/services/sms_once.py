"""The at-most-once SMS protocol's steps that do not depend on which table holds the message (ADR 0011).

The care SMS (callbacks.services.dispatch, on FollowUp) and the parcel notices (logistics, on ShipmentNotice)
both claim a row (`planned → sending` with the exact text and the claim time, committed first), send only while
the claim is young, record the answer guarded by that claim, and look a stuck claim up at the provider before any
resend. Each owns its claim and its guarded write; the send, the reading of the answer and the lookup live here,
once. A row is anything with: pk, customer.phone, message_body, claimed_at, status, provider_id,
provider_status, sent_at, outcome, error_code (status values planned / sending / sent / failed).
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from callbacks.telephony import (
    MessageRejected,
    OutcomeUnknown,
    ProviderBusy,
    TelephonyBackend,
    TelephonyError,
)

SMS_MAX_ATTEMPTS = 5
# The provider's clock and ours may differ a little; look a bit before the claim when reconciling.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    unknown: int = 0
    suppressed: int = 0
    rescheduled: int = 0
    reconciled_sent: int = 0
    reconciled_replanned: int = 0
    errors: list[str] = field(default_factory=list)


def send_deadline(claimed_at: datetime) -> datetime:
    """The last moment a request for a claim made at `claimed_at` may start (ADR 0011)."""
    margin = timedelta(seconds=2 * settings.TWILIO_HTTP_TIMEOUT)
    return claimed_at + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS) - margin


def sms_send(row, *, backend: TelephonyBackend, deadline: datetime, status_callback: str):
    """Runs in a sender thread: HTTP only, no database. The answer, an error, or None when too late to start."""
    if timezone.now() >= deadline:
        return None  # too old to start safely: the reconciler will look it up
    try:
        return backend.send_sms(to=row.customer.phone, body=row.message_body, status_callback=status_callback)
    except TelephonyError as exc:
        return exc


def sms_answer_apply(row, result, report: DispatchReport, now: datetime) -> bool:
    """Set the row's fields from the provider's answer. False when there is nothing to write (outcome unknown)."""
    if result is None or isinstance(result, OutcomeUnknown):
        report.unknown += 1
        if result is not None:
            report.errors.append(f"{row.pk}: {result}")
        return False
    if isinstance(result, ProviderBusy):
        row.status, row.claimed_at, row.error_code = "planned", None, result.code
        report.retry_later += 1
    elif isinstance(result, MessageRejected):
        row.status, row.error_code = "failed", result.code
        row.outcome = "opted_out" if result.opted_out else "rejected"
        report.failed += 1
    else:
        row.status, row.provider_id, row.provider_status, row.sent_at = "sent", result.sid, result.status, now
        report.sent += 1
    return True


def sms_lookup(row, *, backend: TelephonyBackend):
    """Runs in a sender thread: HTTP only. The provider's message for a stuck claim (same recipient, exact text),
    None when it has none (then it was certainly never accepted), or the TelephonyError when it cannot tell now."""
    try:
        found = backend.list_messages(to=row.customer.phone, sent_after=row.claimed_at - CLOCK_SKEW)
    except TelephonyError as exc:
        return exc
    return next((m for m in found if m.body == row.message_body), None)


_pool: tuple[int, ThreadPoolExecutor] | None = None


def sms_senders() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a forked worker needs its own threads
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=settings.SMS_SEND_THREADS, thread_name_prefix="sms"))
    return _pool[1]
