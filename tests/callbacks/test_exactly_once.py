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
from django.db import connections

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due

from .conftest import midday_store, plan_due_sms

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
Status = FollowUp.Status


@pytest.fixture
def fast_recovery(settings):
    settings.TWILIO_HTTP_TIMEOUT = 0.4
    settings.SMS_RECONCILE_AFTER_SECONDS = 1.2
    settings.SMS_BATCH_SIZE = 4
    settings.SMS_SEND_THREADS = 4


def _drain(settings, *, rounds: int = 12) -> None:
    """What later sweeps do: reconcile what is stuck, send what is due, until nothing is left."""
    for _ in range(rounds):
        sms_dispatch_due(time_budget=5)
        if not FollowUp.objects.filter(status__in=[Status.PLANNED, Status.SENDING]).exists():
            return
        time.sleep(settings.SMS_RECONCILE_AFTER_SECONDS / 2)
    raise AssertionError("follow-ups still waiting after recovery")


def _assert_each_sent_exactly_once(server, followups) -> None:
    accepted = Counter(m["to"] for m in server.messages)
    assert {f.customer.phone: accepted[f.customer.phone] for f in followups} == {f.customer.phone: 1 for f in followups}
    assert len(server.messages) == len(followups)
    sids = {m["to"]: m["sid"] for m in server.messages}
    for followup in FollowUp.objects.filter(pk__in=[f.pk for f in followups]).select_related("customer"):
        assert followup.status == Status.SENT and followup.provider_id == sids[followup.customer.phone]


def _dispatch_forever() -> None:
    """The body of a forked worker: sweep until killed (or nothing is left to do)."""
    try:
        for _ in range(50):
            sms_dispatch_due(time_budget=2)
            time.sleep(0.01)
    finally:
        os._exit(0)


def test_killing_workers_at_random_points_never_loses_or_doubles_an_sms(twilio_backend, fast_recovery, settings):
    rng = random.Random(20261123)
    store = midday_store()
    followups, stranded, trials = [], 0, 52
    for _ in range(trials):
        batch = [f.pk for f in plan_due_sms(store, 4)]
        followups += FollowUp.objects.filter(pk__in=batch).select_related("customer")
        twilio_backend.configure(
            latency=rng.choice([0, 0.002, 0.01]), mode=rng.choice(["", "", "500_after_record", "timeout"]),
            rate=0.15, hang=0.5,
        )  # fmt: skip
        connections.close_all()  # the child opens its own connection
        pid = os.fork()
        if pid == 0:
            _dispatch_forever()
        if rng.random() < 0.2:  # sometimes before it got anywhere
            time.sleep(rng.uniform(0.0, 0.02))
        else:  # mostly somewhere after its first claim: sending, recording, or sweeping again
            claimed = FollowUp.objects.filter(pk__in=batch).exclude(status=Status.PLANNED)
            _wait(claimed.exists, timeout=10, what="the worker's first claim", every=0.002)
            time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        stranded += FollowUp.objects.filter(status=Status.SENDING).count()
    twilio_backend.configure(mode="", latency=0)
    assert stranded > 0, "no kill landed between claim and record: the test proved nothing"
    _drain(settings)
    _assert_each_sent_exactly_once(twilio_backend, followups)


def test_500_after_record_and_timeouts_on_every_other_send_still_deliver_each_sms_once(
    twilio_backend, fast_recovery, settings
):
    followups = plan_due_sms(midday_store(), 40)
    twilio_backend.configure(mode="500_after_record", rate=0.5)
    sms_dispatch_due(time_budget=5)
    twilio_backend.configure(mode="timeout", rate=0.5, hang=0.5)
    sms_dispatch_due(time_budget=5)
    twilio_backend.configure(mode="")
    _drain(settings)
    _assert_each_sent_exactly_once(twilio_backend, followups)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            redis.Redis(port=port).ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("throwaway redis did not start")


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait(check, *, timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def test_redis_outage_under_celery_delays_dispatch_and_never_loses_or_doubles(twilio_backend, settings, tmp_path):
    """A real worker and beat on our own throwaway Redis (never the shared one), stopped mid-run."""
    port = _free_port()
    redis_proc = _start_redis(port)
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
        _wait(lambda: supervise() or len(twilio_backend.messages) >= 5, timeout=60, what="the worker to send")
        redis_proc.kill()
        redis_proc.wait()
        # Ingestion keeps working without Redis: deliveries are planned in the database.
        during = plan_due_sms(store, 15)
        for _ in range(15):
            supervise()
            time.sleep(0.2)
        sent_during_outage = {m["to"] for m in twilio_backend.messages}
        redis_proc = _start_redis(port)
        everyone = first + during
        try:
            _wait(
                lambda: (
                    supervise()
                    or FollowUp.objects.filter(pk__in=[f.pk for f in everyone], status=Status.SENT).count() == 30
                ),
                timeout=60,
                what="every SMS after Redis came back",
            )
        except AssertionError as exc:
            states = Counter(FollowUp.objects.filter(pk__in=[f.pk for f in everyone]).values_list("status", flat=True))
            log_tail = _tail(tmp_path / "worker.log")
            raise AssertionError(f"{exc}; states {dict(states)}; restarts {dict(restarts)}; log:\n{log_tail}") from exc
        assert not {f.customer.phone for f in during} <= sent_during_outage
        _assert_each_sent_exactly_once(twilio_backend, everyone)
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
