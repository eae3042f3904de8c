"""The production topology loses its Redis mid-ingest: orders keep coming in, /healthz says so, no SMS is lost or
doubled.

gunicorn, a Celery worker and beat (bin/start, production settings) on a fresh PostgreSQL database and a
redis-server of this test's own (cache, rate limit and broker), sending care SMS through the official twilio
client to the local Twilio server. Order batches and their deliveries are posted before, during and after the
outage.
"""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime

import pytest

from .procs import ROOT, clean_env, free_port, heartbeat_runs, http_get, start_redis, stop_group, wait_for

# Boots four processes and a database on a shared machine, and waits out an outage: more than the suite's default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.real_clock]
BATCH = 20


def _post(base: str, path: str, key: str, body) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _health(base: str) -> tuple[int, dict]:
    try:
        status, body = http_get(f"{base}/healthz")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, json.loads(body)


def _orders(first: int) -> tuple[list[dict], list[dict]]:
    """A batch of mid-value orders (a care SMS each once delivered) and their "signed for" events."""
    now = datetime.now(UTC).isoformat()
    orders = [
        {
            "external_id": f"OUT-{n}",
            "customer": {"external_id": f"buyer-{n}", "name": f"顾客{n}", "phone": f"+86139{n:08d}"},
            "total_amount": "560.00",
            "items": [{"sku": "SILK-SCARF", "name": "桑蚕丝印花围巾", "quantity": 1, "unit_price": "560.00"}],
            "placed_at": "2026-01-01T10:00:00+08:00",
        }
        for n in range(first, first + BATCH)
    ]
    return orders, [{"order": o["external_id"], "delivered_at": now} for o in orders]


# Store setup through the app's own services, in the production settings' process (no test database here).
SETUP = """
from django.utils import timezone
from crm.models import Store
from crm.services.api_tokens import api_token_create
offset = 12 - timezone.now().hour  # local noon, so care SMS are due at once whatever the hour of the run
Store.objects.create(code="silk-tmall", name="Silk", platform="tmall",
                     timezone=f"Etc/GMT{-offset:+d}" if offset else "UTC")
print(api_token_create(store_codes=["silk-tmall"], name="connector")[1])
"""


def test_redis_outage_mid_ingest_loses_no_order_and_no_sms(fresh_database, tmp_path, twilio_server):
    redis_port, web_port = free_port(), free_port()
    redis_proc = start_redis(redis_port)
    base = f"http://127.0.0.1:{web_port}"
    env = clean_env(
        PYTHON=sys.executable,
        DATABASE_URL=fresh_database,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/1",
        SECRET_KEY="outage-test-secret",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        VAR_DIR=str(tmp_path),
        BIND=f"127.0.0.1:{web_port}",
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="2",
        BEAT_SCHEDULE=str(tmp_path / "beat-schedule"),
        HEARTBEAT_INTERVAL_SECONDS="1",
        SMS_SWEEP_INTERVAL_SECONDS="0.5",
        TELEPHONY_BACKEND="callbacks.telephony.twilio.TwilioBackend",
        TWILIO_ACCOUNT_SID=twilio_server.account_sid,
        TWILIO_AUTH_TOKEN=twilio_server.auth_token,
        TWILIO_API_BASE_URL=twilio_server.base_url,
        TWILIO_FROM_NUMBER="+8610000000000",
        TWILIO_HTTP_TIMEOUT="1",
        SMS_RECONCILE_AFTER_SECONDS="4",
    )
    subprocess.run([str(ROOT / "bin/start"), "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    setup = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    key = setup.stdout.split()[-1]
    log = open(tmp_path / "procs.log", "w")  # noqa: SIM115 (closed in finally)
    procs: dict[str, subprocess.Popen] = {}

    def supervise() -> bool:
        # What docker-compose's `restart: unless-stopped` does: Celery 5.7's worker can exit on losing its broker
        # (ADR 0011); it comes back. Returns False so it can sit in a wait_for check.
        for role in ("web", "worker", "beat"):
            if role not in procs or procs[role].poll() is not None:
                procs[role] = subprocess.Popen(
                    [str(ROOT / "bin/start"), role], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        return False

    answers: Counter[int] = Counter()
    phones: list[str] = []

    def ingest(first: int) -> None:
        orders, deliveries = _orders(first)
        for path, body in (("/api/v1/orders", orders), ("/api/v1/deliveries", deliveries)):
            status, content = _post(base, path, key, body)
            answers[status] += 1
            assert status == 200, (path, status, content[:500])
        phones.extend(o["customer"]["phone"] for o in orders)

    try:
        supervise()
        wait_for(lambda: supervise() or heartbeat_runs(base) >= 1, timeout=300, what="the topology to come up")
        assert _health(base)[0] == 200
        for batch in range(3):
            ingest(1 + batch * BATCH)
        wait_for(lambda: supervise() or len(twilio_server.messages) >= 5, timeout=60, what="the first SMS")

        redis_proc.kill()
        redis_proc.wait()
        health_during = _health(base)
        for batch in range(3, 8):  # order batches and deliveries all through the outage
            ingest(1 + batch * BATCH)
            supervise()
            time.sleep(0.3)
        health_late = _health(base)

        redis_proc = start_redis(redis_port)
        wait_for(lambda: supervise() or len(twilio_server.messages) >= len(phones), timeout=120, what="every SMS sent")
        wait_for(lambda: supervise() or _health(base)[0] == 200, timeout=60, what="/healthz back to 200")
        time.sleep(3)  # a few more sweeps: nothing may be sent twice
    finally:
        for proc in procs.values():
            stop_group(proc)
        redis_proc.kill()
        log.close()

    assert answers == Counter({200: 16}), answers  # 8 batches of orders and 8 of deliveries, 0 errors
    for status, body in (health_during, health_late):
        assert status == 503 and body["checks"]["redis"]["status"] == "down", body
        assert body["checks"]["database"]["status"] == "ok", body
    sent = Counter(m["to"] for m in twilio_server.messages)
    assert sent == Counter(phones), "each delivered order's care SMS exactly once"
