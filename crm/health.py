"""What /healthz reports: each dependency the app needs, whether it answers, and the worker's heartbeat age.

Every check is short (sub-second timeouts) and independent: one dependency down never hides the others. A check
that is not configured (no REDIS_URL in the embedded default) is reported as such and does not fail the whole.

Anyone may ask /healthz (a load balancer, a monitor), so a failing check is named with its status and nothing
more: the error itself names hosts, ports and database users, and goes to the log for the operator.
"""

import logging
import time
from dataclasses import asdict, dataclass

import kombu
from django.conf import settings
from django.db import connection
from django.utils import timezone

from crm.models import WorkerHeartbeat
from crm.redis_client import TIMEOUT_SECONDS, redis_client
from crm.selectors import heartbeat_latest

logger = logging.getLogger(__name__)

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not_configured"
# What the public answer says of a failing dependency; the log line next to it says why.
NO_ANSWER = "did not answer (the error is in the server log)"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str = ""
    milliseconds: float = 0.0

    @property
    def failing(self) -> bool:
        return self.status == DOWN


def _timed(name: str, probe) -> Check:
    started = time.perf_counter()
    try:
        status, detail = probe()
    except Exception as exc:  # a health check reports any failure; it never raises
        # One line, no traceback: a load balancer asks every few seconds while the dependency is down.
        logger.warning("health check: %s is down: %s: %s", name, type(exc).__name__, exc)
        status, detail = DOWN, NO_ANSWER
    return Check(name, status, detail, round((time.perf_counter() - started) * 1000, 1))


def _database() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK, connection.display_name


def _redis() -> tuple[str, str]:
    client = redis_client()
    if client is None:
        return NOT_CONFIGURED, "REDIS_URL is not set"
    client.ping()  # a RedisError is a failing check like any other (_timed)
    return OK, ""


def _broker() -> tuple[str, str]:
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "socket_timeout": TIMEOUT_SECONDS}
    with kombu.Connection(
        settings.CELERY_BROKER_URL, connect_timeout=TIMEOUT_SECONDS, transport_options=options
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT_SECONDS)
    return OK, ""


def _worker(beat: WorkerHeartbeat | None) -> Check:
    if beat is None:
        return Check("worker", DOWN, "no heartbeat recorded yet")
    age = (timezone.now() - beat.last_run_at).total_seconds()
    status = OK if age <= settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS else DOWN
    return Check("worker", status, f"last heartbeat {age:.0f} s ago")


def health_report() -> tuple[int, dict]:
    """(HTTP status, body): each check by name, and 503 when any dependency is down."""
    checks = [_timed("database", _database), _timed("redis", _redis), _timed("broker", _broker)]
    beat = None if checks[0].failing else heartbeat_latest()
    checks.append(_worker(beat))
    down = any(c.failing for c in checks)
    body = {
        "status": "down" if down else "ok",
        "checks": {c.name: {k: v for k, v in asdict(c).items() if k != "name"} for c in checks},
        # Kept from the first version of this endpoint: smoke tests read the heartbeat's run count.
        "worker_heartbeat": {"last_run_at": beat.last_run_at.isoformat(), "runs": beat.runs} if beat else None,
    }
    return (503 if down else 200), body
