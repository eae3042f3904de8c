"""A care SMS is sent at most once, and every due one is sent, whatever happens to the sender.

Against the local Twilio server with the real twilio client: workers killed with SIGKILL at random points of
dispatch, 500s after the server recorded the message, timeouts after it recorded, and a Redis outage under a
real Celery worker and beat. The server's own record is the judge.
"""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from callbacks.models import FollowUp
from callbacks.services.dispatch import CARE_SMS, sms_dispatch_due
from tests.sms_faults import accepted_then_phone_changed, assert_each_sent_exactly_once, drain, sweep_in_killed_workers
from tests.system.procs import ROOT, free_port, start_redis, wait_for

from .conftest import midday_store, plan_due_sms

pytestmark = [pytest.mark.slow, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
Status = FollowUp.Status


def test_killing_workers_at_random_points_never_loses_or_doubles_an_sms(twilio_backend, sms_fast_recovery):
    store = midday_store()

    def release() -> list[FollowUp]:
        batch = [f.pk for f in plan_due_sms(store, 4)]
        return list(FollowUp.objects.filter(pk__in=batch).select_related("customer"))

    run = sweep_in_killed_workers(
        queue=CARE_SMS, twilio=twilio_backend, rng=random.Random(20261123), trials=52, release=release
    )
    assert run.stranded > 0, "no kill landed between claim and record: the test proved nothing"
    drain(CARE_SMS)
    assert_each_sent_exactly_once(twilio_backend, CARE_SMS, run.rows)


def test_500_after_record_and_timeouts_on_every_other_send_still_deliver_each_sms_once(
    twilio_backend, sms_fast_recovery
):
    followups = plan_due_sms(midday_store(), 40)
    twilio_backend.configure(mode="500_after_record", rate=0.5)
    sms_dispatch_due(time_budget=5)
    twilio_backend.configure(mode="timeout", rate=0.5, hang=0.5)
    sms_dispatch_due(time_budget=5)
    twilio_backend.configure(mode="")
    drain(CARE_SMS)
    assert_each_sent_exactly_once(twilio_backend, CARE_SMS, followups)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def test_redis_outage_under_celery_delays_dispatch_and_never_loses_or_doubles(twilio_backend, settings, tmp_path):
    """A real worker and beat on our own throwaway Redis (never the shared one), stopped mid-run."""
    port = free_port()
    redis_proc = start_redis(port)
    db = settings.DATABASES["default"]
    broker = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker, "CELERY_BROKER_URL": broker,
        "TELEPHONY_BACKEND": "callbacks.telephony.twilio.TwilioBackend",
        "TWILIO_ACCOUNT_SID": twilio_backend.account_sid, "TWILIO_AUTH_TOKEN": twilio_backend.auth_token,
        "TWILIO_API_BASE_URL": twilio_backend.base_url, "TWILIO_FROM_NUMBER": "+8610000000000",
        "SMS_SWEEP_INTERVAL_SECONDS": "0.5", "TWILIO_HTTP_TIMEOUT": "1", "SMS_RECONCILE_AFTER_SECONDS": "4",
        "HEARTBEAT_INTERVAL_SECONDS": "60",
    }  # fmt: skip
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed in finally)
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    commands = {
        "worker": [*celery, "worker", "--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        "beat": [*celery, "beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule")],
    }
    procs: dict[str, subprocess.Popen] = {}
    restarts = Counter()

    def supervise() -> None:
        # What docker-compose's `restart: unless-stopped` does: a worker that exits on broker loss comes back.
        for name, command in commands.items():
            if name not in procs or procs[name].poll() is not None:
                restarts[name] += name in procs
                procs[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True)  # fmt: skip

    store = midday_store()
    try:
        first = plan_due_sms(store, 15)
        supervise()
        wait_for(
            lambda: supervise() or len(twilio_backend.messages) >= 5, timeout=60, what="the worker to send", every=0.2
        )
        redis_proc.kill()
        redis_proc.wait()
        # Ingestion keeps working without Redis: deliveries are planned in the database.
        during = plan_due_sms(store, 15)
        for _ in range(15):
            supervise()
            time.sleep(0.2)
        sent_during_outage = {m["to"] for m in twilio_backend.messages}
        redis_proc = start_redis(port)
        everyone = first + during
        try:
            wait_for(
                lambda: (
                    supervise()
                    or FollowUp.objects.filter(pk__in=[f.pk for f in everyone], status=Status.SENT).count() == 30
                ),
                timeout=60,
                what="every SMS after Redis came back",
                every=0.2,
            )
        except AssertionError as exc:
            states = Counter(FollowUp.objects.filter(pk__in=[f.pk for f in everyone]).values_list("status", flat=True))
            log_tail = _tail(tmp_path / "worker.log")
            raise AssertionError(f"{exc}; states {dict(states)}; restarts {dict(restarts)}; log:\n{log_tail}") from exc
        assert not {f.customer.phone for f in during} <= sent_during_outage
        assert_each_sent_exactly_once(twilio_backend, CARE_SMS, everyone)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        redis_proc.kill()
        redis_proc.wait()
        log.close()


def test_a_care_sms_accepted_before_the_customers_phone_changed_is_found_at_the_old_number_not_resent(
    twilio_backend, monkeypatch
):
    followups = FollowUp.objects.filter(pk__in=[f.pk for f in plan_due_sms(midday_store(), 3)])
    accepted_then_phone_changed(
        queue=CARE_SMS, twilio=twilio_backend, rows=list(followups.select_related("customer")), monkeypatch=monkeypatch
    )
