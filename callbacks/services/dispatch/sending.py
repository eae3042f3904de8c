"""A queue's due rows on the wire: claimed in batches, each batch sent by the sender threads while the next is
claimed, its answers recorded."""

import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.telephony import TelephonyBackend, TelephonyError, get_backend

from .deadlines import send_deadline
from .last_look import withdraw_refused
from .queues import SmsQueue, Status
from .recording import record_answers
from .report import DispatchReport
from .threads import sender_threads

# Answers are committed in groups: one statement (and one WAL flush) per group instead of per message.
_RECORD_EVERY = 50


def _send(row: FollowUp, *, backend: TelephonyBackend, deadline: datetime, status_url: Callable[[int], str]):
    """Runs in a sender thread: HTTP only, no database. `deadline` is the batch's (one claim time for all)."""
    if timezone.now() >= deadline:
        return None  # too old to start safely: the reconciler will look it up
    callback = status_url(row.pk)
    try:
        return backend.send_sms(to=row.recipient, body=row.message_body, status_callback=callback)
    except TelephonyError as exc:
        return exc


def _claim_batch(report: DispatchReport, queue: SmsQueue) -> tuple[list, datetime]:
    claimed_at = timezone.now()
    return queue.claim(now=claimed_at, limit=settings.SMS_BATCH_SIZE, report=report), claimed_at


def _unclaim(rows: list, claimed_at: datetime, queue: SmsQueue) -> None:
    """Give back a claimed batch none of whose messages has been started: `planned` again, attempt not counted."""
    queue.model.objects.filter(pk__in=[row.pk for row in rows], status=Status.SENDING, claimed_at=claimed_at).update(
        status=Status.PLANNED, claimed_at=None, attempts=F("attempts") - 1, updated_at=timezone.now()
    )
    queue.forget(rows, claimed_at)


def dispatch_queue(queue: SmsQueue, *, report: DispatchReport, stop_at: float) -> None:
    senders, backend = sender_threads(), get_backend()
    status_url = queue.status_url()
    batch, claimed_at = _claim_batch(report, queue)
    while batch:
        batch = withdraw_refused(batch, claimed_at, queue, report)
        send = partial(_send, backend=backend, deadline=send_deadline(claimed_at), status_url=status_url)
        results = senders.map(send, batch)
        # The next batch is claimed (and committed `sending`) while this one is on the wire.
        upcoming, upcoming_at = _claim_batch(report, queue) if time.monotonic() < stop_at else ([], claimed_at)
        throttled = report.retry_later
        answers: list[tuple[object, object]] = []
        for row, result in zip(batch, results, strict=True):
            answers.append((row, result))
            if len(answers) >= _RECORD_EVERY:
                record_answers(answers, report, queue)
                answers = []
        record_answers(answers, report, queue)
        if report.retry_later > throttled:  # the provider asks us to slow down: the next sweep retries
            _unclaim(upcoming, upcoming_at, queue)
            break
        batch, claimed_at = upcoming, upcoming_at
