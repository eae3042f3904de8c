"""Calls left hanging after their window: closed by one sweep (beat, every minute), so that none stays open for ever.

A call follow-up (a delivery's evening care call, a dedicated owner's call, or a call task another app made) is in
the agents' queue only on its own day. Two kinds would otherwise stay open for ever once their window is over, out
of every queue and counted as open; `followups_close_missed` closes both, status done:

- **Missed** (ADR 0027): still `planned` once its window has ended (plus `GRACE`, for an agent dialling at the last
  minute), or `in_progress` with no call of it ever reaching the provider, and no call being placed or under way.
  Outcome `missed` (`ClosedUncalled.MISSED`). What follows is what follows the last unanswered try of a call: a care
  call gets the care SMS instead, through the contact gate (`outcomes.care_sms_instead`, the one the outcome service
  uses): one live contact per order, once, since only the sweep that closes the call plans it.
- **Outcome not logged** (ADR 0028): `in_progress` with a call that reached the provider, its window ended (plus
  `GRACE`), and its agent gone without logging what came of it: the last call ended `OUTCOME_WAIT` ago, or the
  provider never reported its end and it started `CALL_LOST_AFTER` ago. Outcome `not_logged`
  (`ClosedUnlogged.NOT_LOGGED`). Nothing is sent: the customer was called and may have been spoken to, so the care
  SMS does not go on top of a conversation nobody wrote down. The manager sees it on the escalations page, and the
  agent (or the manager) may still log what was said on the panel (services.outcomes).

Either way no `CallAttempt` is written (nobody logged one), and the app that made a call task hears of it through
`followup_outcome_logged`, with no attempt, as it hears of every logged outcome (retention, logistics).

Rows are claimed with `FOR UPDATE SKIP LOCKED` a batch per transaction, their customers first (ADR 0037, skipped too
when held), so a click to call or an outcome being logged (which lock the customer, then the row) is never overtaken,
and two overlapping sweeps never close one row twice.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from callbacks.models import CALL_CHANNELS, Call, ClosedUncalled, ClosedUnlogged, FollowUp
from callbacks.signals import followup_outcome_logged
from crm.services.locks import customers_lock_free

from .outcomes import care_sms_instead

# An agent may still be dialling when the window closes: a follow-up is closed this long after its window's end.
GRACE = timedelta(minutes=5)
# After a call ends its agent may still be writing the outcome (notes, a case): they have this long.
OUTCOME_WAIT = timedelta(minutes=30)
# A call the provider never reported ended (a lost status callback, a backend that does not report) is taken as
# over this long after it started: no agent's call to a customer lasts that long.
CALL_LOST_AFTER = timedelta(hours=3)
BATCH_SIZE = 200
# How long one sweep may keep claiming batches (beat runs it every minute).
TIME_BUDGET_SECONDS = 30.0


@dataclass
class MissedReport:
    missed: int = 0
    care_sms: int = 0
    not_logged: int = 0


def _calls() -> QuerySet[Call]:
    return Call.objects.filter(followup=OuterRef("pk"))


def _window_over(now: datetime) -> Q:
    """Call follow-ups whose window ended more than `GRACE` ago. `window_start` bounds the scan to the
    `followup_due` index (a window ends after it starts)."""
    cutoff = now - GRACE
    return Q(channel__in=CALL_CHANNELS, window_start__lt=cutoff, window_end__lte=cutoff)


def followups_missed_due(*, now: datetime) -> QuerySet[FollowUp]:
    """Call follow-ups nobody called in their window (see the module): still planned, or in progress with no call
    that reached the provider, and no call being placed or under way."""
    placed = _calls().exclude(provider_id="")
    live = _calls().exclude(status__in=Call.FINAL)
    uncalled = Q(status=FollowUp.Status.PLANNED) | Q(Q(status=FollowUp.Status.IN_PROGRESS) & ~Exists(placed))
    return FollowUp.objects.filter(_window_over(now), uncalled).exclude(Exists(live))


def followups_unlogged_due(*, now: datetime) -> QuerySet[FollowUp]:
    """Call follow-ups called in their window whose outcome nobody logged (see the module): in progress, a call that
    reached the provider, none still on the line (or reported ended less than `OUTCOME_WAIT` ago)."""
    placed = _calls().exclude(provider_id="")
    recent = (
        _calls()
        .alias(ended_or_started=Coalesce("ended_at", "started_at"))
        .filter(
            Q(~Q(status__in=Call.FINAL), started_at__gt=now - CALL_LOST_AFTER)
            | Q(status__in=Call.FINAL, ended_or_started__gt=now - OUTCOME_WAIT)
        )
    )
    return FollowUp.objects.filter(_window_over(now), Exists(placed), status=FollowUp.Status.IN_PROGRESS).exclude(
        Exists(recent)
    )


@dataclass(frozen=True)
class _Rule:
    """One kind of call left hanging: which rows (`due`), the outcome they are closed with, whether a care call's
    customer gets the care SMS instead, and the report's counter."""

    due: Callable[..., QuerySet[FollowUp]]
    outcome: str
    care_sms: bool
    counter: str


_RULES = (
    _Rule(due=followups_missed_due, outcome=ClosedUncalled.MISSED, care_sms=True, counter="missed"),
    _Rule(due=followups_unlogged_due, outcome=ClosedUnlogged.NOT_LOGGED, care_sms=False, counter="not_logged"),
)


@transaction.atomic
def _close_batch(*, rule: _Rule, now: datetime, limit: int, report: MissedReport) -> int:
    due = rule.due(now=now).order_by("window_end", "id")
    # The customers before their calls (ADR 0037), neither waited on: the care SMS instead is held to one contact a day
    # (ADR 0051), which waits on the customer's other contacts. A call whose customer a writer holds waits a sweep.
    customers = customers_lock_free(due.values_list("customer_id", flat=True)[:limit])
    rows = list(
        due.filter(customer_id__in=customers)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("store", "customer", "order")[:limit]
    )
    if not rows:
        return 0
    FollowUp.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=FollowUp.Status.DONE, outcome=rule.outcome, updated_at=now
    )
    for followup in rows:
        followup.status, followup.outcome, followup.updated_at = FollowUp.Status.DONE, rule.outcome, now
        sms = care_sms_instead(followup=followup, now=now) if rule.care_sms else None  # a care call's only
        if sms is not None and sms.status == FollowUp.Status.PLANNED:  # not merged into the day's contact
            report.care_sms += 1
        followup_outcome_logged.send(sender=FollowUp, followup=followup, attempt=None)
    setattr(report, rule.counter, getattr(report, rule.counter) + len(rows))
    return len(rows)


def followups_close_missed(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, time_budget: float = TIME_BUDGET_SECONDS
) -> MissedReport:
    """Close every call left hanging (see the module), rule by rule and batch by batch, each batch in its own
    transaction, until none is left or the time budget is spent. Safe to run twice and beside another run."""
    report = MissedReport()
    stop_at = time.monotonic() + time_budget
    for rule in _RULES:
        while True:
            claimed = _close_batch(rule=rule, now=now or timezone.now(), limit=batch_size, report=report)
            if claimed < batch_size or time.monotonic() >= stop_at:
                break
    return report
