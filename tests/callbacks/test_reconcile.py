"""After workers die, SMS stuck in `sending` are resolved on ADR 0011's schedule, even with a slow provider.

ADR 0011: a crashed worker's messages wait SMS_RECONCILE_AFTER_SECONDS (60 s) and are then resolved by the
next sweep. Time past the claim is injected with time-machine; the provider's slowness is real (the local
Twilio server answers each lookup late).
"""

import threading
import time
from datetime import timedelta

import psycopg2
import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.messages import sms_render
from callbacks.services.policy import policy_for_store
from callbacks.telephony import get_backend

from .conftest import midday_store, plan_due_sms

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
Status = FollowUp.Status
STUCK = 240
LOOKUP_LATENCY = 0.1  # seconds the provider takes to answer each lookup


def _strand(followups, *, accepted_every: int) -> None:
    """What killed workers leave: every row claimed `sending`; the provider accepted every n-th before the kill."""
    claimed_at = timezone.now()
    backend = get_backend()
    for index, row in enumerate(followups):
        row.message_body = sms_render(followup=row, policy=policy_for_store(store=row.store))
        FollowUp.objects.filter(pk=row.pk).update(
            status=Status.SENDING, claimed_at=claimed_at, attempts=1, message_body=row.message_body
        )
        if index % accepted_every == 0:
            backend.send_sms(to=row.customer.phone, body=row.message_body, status_callback="")


class LongTransactionWatch:
    """Polls PostgreSQL from its own connection for a session of this database idle inside a transaction."""

    def __init__(self) -> None:
        params = connection.get_connection_params()
        self.conn = psycopg2.connect(**{k: params[k] for k in ("dbname", "user", "host", "port") if k in params})
        self.conn.autocommit = True
        self.longest, self.stop = 0.0, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with self.conn.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
                )
                self.longest = max(self.longest, float(cursor.fetchone()[0]))
                self.stop.wait(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.conn.close()


def test_stuck_sms_are_all_resolved_by_the_first_sweep_past_the_reconcile_age(twilio_backend, settings):
    settings.SMS_RECONCILE_AFTER_SECONDS = 60.0
    settings.SMS_SWEEP_INTERVAL_SECONDS = 5.0
    followups = list(
        FollowUp.objects.filter(pk__in=[f.pk for f in plan_due_sms(midday_store(), STUCK)]).select_related(
            "customer", "order", "store"
        )
    )
    _strand(followups, accepted_every=3)
    accepted = len(twilio_backend.messages)
    twilio_backend.configure(latency=LOOKUP_LATENCY)
    # The first sweep after the claims are 60 s old (beat sweeps every 5 s).
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=True), LongTransactionWatch() as watch:
        started = time.monotonic()
        report = sms_dispatch_due()
        elapsed = time.monotonic() - started
    assert report.reconciled_sent == accepted
    assert report.reconciled_replanned == STUCK - accepted
    assert not FollowUp.objects.filter(status=Status.SENDING).exists()
    # Done within one sweep interval of wall time: resolved by ~65 s after the crash plus a few seconds, where a
    # lookup at a time (240 × 0.1 s, in batches of 100, one per sweep) took minutes.
    assert elapsed < settings.SMS_SWEEP_INTERVAL_SECONDS + STUCK * LOOKUP_LATENCY / 4, elapsed
    # No transaction sat open while the provider was being asked.
    assert watch.longest < 1.0, watch.longest
    # Every one sent exactly once at the end (the replanned ones by this same sweep, after reconciling).
    twilio_backend.configure(latency=0)
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=True):
        sms_dispatch_due()
    assert len(twilio_backend.messages) == STUCK
    assert set(FollowUp.objects.values_list("status", flat=True)) == {Status.SENT}
