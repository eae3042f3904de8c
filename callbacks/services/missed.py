"""Calls nobody made: a call follow-up whose window ended without an attempt is closed as missed.

A call follow-up (a delivery's evening care call, a dedicated owner's call, or a call task another app made) is
in the agents' queue only on its own day. One still `planned` once its window has ended (plus `GRACE`, for an
agent who is dialling at the last minute) would otherwise stay planned for ever, out of every queue and counted
as open. `followups_close_missed` (beat, every minute) closes each such follow-up: status done, outcome `missed`
(`ClosedUncalled.MISSED`), and then does what follows the last unanswered try of a call:

- a care call gets the care SMS instead, through the contact gate (`outcomes.care_sms_instead`, the one the
  outcome service uses): one live contact per order, once, since only the sweep that closes the call plans it;
- the app that made a call task hears of it through `followup_outcome_logged`, with no attempt (nobody called),
  as it hears of every logged outcome (retention marks the campaign row failed, logistics the parcel's call).

A follow-up with a call under way is left alone: `in_progress` (a click to call claimed it) is not `planned`, and a
call still being placed or ringing for it (a `Call` not final) keeps it out too; its agent logs the outcome. Rows
are claimed with `FOR UPDATE SKIP LOCKED` a batch per transaction, so a click to call or an outcome being logged
(which lock the row) is never overtaken, and two overlapping sweeps never close one row twice.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from callbacks.models import CALL_CHANNELS, Call, ClosedUncalled, FollowUp
from callbacks.signals import followup_outcome_logged

from .outcomes import care_sms_instead

# An agent may still be dialling when the window closes: a follow-up is missed this long after its window's end.
GRACE = timedelta(minutes=5)
BATCH_SIZE = 200
# How long one sweep may keep claiming batches (beat runs it every minute).
TIME_BUDGET_SECONDS = 30.0


@dataclass
class MissedReport:
    missed: int = 0
    care_sms: int = 0


def followups_missed_due(*, now: datetime) -> QuerySet[FollowUp]:
    """Call follow-ups still planned whose window ended more than `GRACE` ago, with no call being placed or under
    way. `window_start` bounds the scan to the `followup_due` index (a window ends after it starts)."""
    cutoff = now - GRACE
    live_call = Call.objects.filter(followup=OuterRef("pk")).exclude(status__in=Call.FINAL)
    return FollowUp.objects.filter(
        status=FollowUp.Status.PLANNED,
        channel__in=CALL_CHANNELS,
        window_start__lt=cutoff,
        window_end__lte=cutoff,
    ).exclude(Exists(live_call))


@transaction.atomic
def _close_batch(*, now: datetime, limit: int) -> tuple[MissedReport, int]:
    report = MissedReport()
    rows = list(
        followups_missed_due(now=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("store", "customer", "order")
        .order_by("window_end", "id")[:limit]
    )
    if not rows:
        return report, 0
    FollowUp.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=FollowUp.Status.DONE, outcome=ClosedUncalled.MISSED, updated_at=now
    )
    for followup in rows:
        followup.status, followup.outcome, followup.updated_at = FollowUp.Status.DONE, ClosedUncalled.MISSED, now
        if followup.purpose == FollowUp.Purpose.CARE and care_sms_instead(followup=followup, now=now) is not None:
            report.care_sms += 1
        followup_outcome_logged.send(sender=FollowUp, followup=followup, attempt=None)
    report.missed = len(rows)
    return report, len(rows)


def followups_close_missed(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, time_budget: float = TIME_BUDGET_SECONDS
) -> MissedReport:
    """Close every missed call follow-up (see the module), batch by batch, each in its own transaction, until none
    is left or the time budget is spent. Safe to run twice and beside another run."""
    report = MissedReport()
    stop_at = time.monotonic() + time_budget
    while True:
        batch, claimed = _close_batch(now=now or timezone.now(), limit=batch_size)
        report.missed += batch.missed
        report.care_sms += batch.care_sms
        if claimed < batch_size or time.monotonic() >= stop_at:
            return report
