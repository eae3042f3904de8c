"""The per-token request rate of the order-system API (`API_THROTTLE_RATE`, e.g. "1200/min").

A fixed window per token, counted atomically in Redis: one INCR per request, and the first request of a window
sets its expiry in the same script, so parallel requests can never admit more than the rate (DRF's
SimpleRateThrottle reads, checks and writes a list in three steps, and parallel clients slip between them).

Redis is not the source of truth: when it does not answer, the limit fails open with a logged warning and the
order systems keep delivering (ADR 0020; the database still takes every write). Without REDIS_URL (the embedded
default: one web process) the count is kept in the process.
"""

import logging
import threading
import time

import redis
from django.conf import settings
from rest_framework import throttling

from crm.models import ApiToken
from crm.redis_client import redis_client

logger = logging.getLogger(__name__)

# KEYS[1]: the window's counter; ARGV[1]: the window in seconds. Returns {count, milliseconds left}.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1] * 1000) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1] * 1000); left = ARGV[1] * 1000 end
return {count, left}
"""
# One warning per this many seconds per process while Redis is away, not one per request.
_WARN_EVERY_SECONDS = 30.0


class _LocalWindows:
    """The same fixed windows in this process, for running without Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def count(self, key: str, window: int) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window:
                started, count = now, 0
            self._windows[key] = (started, count + 1)
            return count + 1, started + window - now


_local = _LocalWindows()
_last_warning = 0.0


def _warn_redis_down(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("API rate limit not enforced: Redis does not answer (%s); requests are let through.", exc)


def rate_count(*, key: str, window: int) -> tuple[int, float] | None:
    """(requests in this window including this one, seconds until it ends); None when Redis is away."""
    client = redis_client()
    if client is None:
        return _local.count(key, window)
    try:
        count, left_ms = client.eval(_COUNT, 1, key, window)
    except redis.RedisError as exc:
        _warn_redis_down(exc)
        return None
    return int(count), int(left_ms) / 1000


class TokenRateThrottle(throttling.BaseThrottle):
    """Requests per token, `API_THROTTLE_RATE` read on every request; 429 with Retry-After beyond it."""

    def allow_request(self, request, view) -> bool:
        self._wait = None
        if not isinstance(request.auth, ApiToken):
            return True
        allowed, window = throttling.SimpleRateThrottle.parse_rate(None, settings.API_THROTTLE_RATE)
        # By the key's hash, not the row id: ids repeat across databases that share one Redis.
        counted = rate_count(key=f"throttle:api_token:{request.auth.key_hash[:32]}", window=window)
        if counted is None or counted[0] <= allowed:
            return True
        self._wait = counted[1]
        return False

    def wait(self) -> float | None:
        return self._wait
