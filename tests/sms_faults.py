"""Fault injection for the SMS sweeper (callbacks.services.dispatch), shared by the tests of every registered queue.

Real worker processes (forks of the test process) run the sweeper against the local Twilio server through the
real twilio client and are killed with SIGKILL at random points; later sweeps recover; the server's own record of
what it accepted is the judge.
"""

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import time_machine
from django.conf import settings
from django.db import connections
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.dispatch import SmsQueue, sms_dispatch_due
from tests.system.procs import wait_for

# Every queue's rows use the care SMS's status values (SmsQueue).
Status = FollowUp.Status


@dataclass
class KilledSweeps:
    rows: list  # every row released, with its customer
    stranded: int  # rows a killed worker had claimed (`sending`) and not recorded


def _sweep_until_killed() -> None:
    """The body of a forked worker: sweep every queue, as beat's task does, until killed (or nothing is left)."""
    try:
        for _ in range(50):
            sms_dispatch_due(time_budget=2)
            time.sleep(0.01)
    finally:
        os._exit(0)


def sweep_in_killed_workers(
    *, queue: SmsQueue, twilio, rng: random.Random, trials: int, release: Callable[[], list]
) -> KilledSweeps:
    """`trials` times: `release()` makes a few rows of `queue` due (and returns them), the provider is given random
    latency and faults, a forked worker sweeps, and it is killed, mostly after its first claim of them."""
    # Workers start warm, as long-running ones are (URLconf loaded, twilio client imported): a cold fork spends its
    # first half second there, every trial.
    sms_dispatch_due(time_budget=1)
    rows, stranded = [], 0
    for _ in range(trials):
        batch = release()
        rows += batch
        twilio.configure(
            latency=rng.choice([0, 0.002, 0.01]), mode=rng.choice(["", "", "500_after_record", "timeout"]),
            rate=0.15, hang=0.5,
        )  # fmt: skip
        connections.close_all()  # the child opens its own connection
        forked_at = timezone.now()
        pid = os.fork()
        if pid == 0:
            _sweep_until_killed()
        if rng.random() < 0.2:  # sometimes before it got anywhere
            time.sleep(rng.uniform(0.0, 0.02))
        else:  # mostly somewhere after its first claim: sending, recording, or sweeping again
            claimed = queue.model.objects.filter(pk__in=[row.pk for row in batch]).exclude(status=Status.PLANNED)
            wait_for(claimed.exists, timeout=10, what="the worker's first claim", every=0.002)
            time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        stranded += queue.model.objects.filter(status=Status.SENDING, claimed_at__gte=forked_at).count()
    twilio.configure(mode="", latency=0)
    return KilledSweeps(rows=rows, stranded=stranded)


def drain(queue: SmsQueue, *, rounds: int = 12) -> None:
    """What later sweeps do: reconcile what is stuck, send what is due, until nothing of `queue` is left. Between
    two sweeps the clock moves on by the reconcile age (time-machine, not a sleep), so what a killed worker left
    `sending` is old enough to be reconciled by the next one."""
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for _ in range(rounds):
            sms_dispatch_due(time_budget=5)
            if not queue.model.objects.filter(status__in=[Status.PLANNED, Status.SENDING]).exists():
                return
            clock.shift(timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS))
    raise AssertionError(f"{queue.name} rows still waiting after recovery")


def assert_each_sent_exactly_once(twilio, queue: SmsQueue, rows: list) -> None:
    """The server accepted one message for each row's customer and no other; each row is `sent` with its sid."""
    accepted = Counter(m["to"] for m in twilio.messages)
    assert {r.customer.phone: accepted[r.customer.phone] for r in rows} == {r.customer.phone: 1 for r in rows}
    assert len(twilio.messages) == len(rows)
    sids = {m["to"]: m["sid"] for m in twilio.messages}
    for row in queue.model.objects.filter(pk__in=[r.pk for r in rows]).select_related("customer"):
        assert (row.status, row.provider_id) == (Status.SENT, sids[row.customer.phone])


def accepted_then_phone_changed(*, queue: SmsQueue, twilio, rows: list, monkeypatch) -> None:
    """The provider accepts each row's message, writing down its answer fails, an order batch then brings each
    customer a new phone, and the stuck rows are reconciled: each message is found at the number it was claimed
    for and recorded sent; nothing goes to the new numbers."""
    import pytest  # a helper module: pytest only where a test calls it

    from callbacks.services.dispatch import recording
    from crm.models import Customer

    def failing(*args, **kwargs):
        raise RuntimeError("the database went away while the answers were written")

    with monkeypatch.context() as patched:
        patched.setattr(recording, "rows_set", failing)
        with pytest.raises(RuntimeError):
            sms_dispatch_due(time_budget=5, queues=[queue.name])
    old = {row.customer_id: row.customer.phone for row in rows}
    assert sorted(m["to"] for m in twilio.messages) == sorted(old.values())
    for number, customer_id in enumerate(old, start=1):
        Customer.objects.filter(pk=customer_id).update(phone=f"+86139{number:08d}")

    later = timezone.now() + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS + 1)
    with time_machine.travel(later):
        report = sms_dispatch_due(time_budget=5, queues=[queue.name])

    assert (report.reconciled_sent, report.reconciled_replanned, report.sent) == (len(rows), 0, 0)
    assert sorted(m["to"] for m in twilio.messages) == sorted(old.values())  # nothing to a new number
    sids = {m["to"]: m["sid"] for m in twilio.messages}
    for row in queue.model.objects.filter(pk__in=[r.pk for r in rows]):
        assert (row.status, row.provider_id) == (Status.SENT, sids[old[row.customer_id]])
