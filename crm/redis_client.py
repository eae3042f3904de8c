"""One Redis client per process for what talks to Redis directly (the API rate limit, the health check).

Redis is an accelerator here, never the source of truth (docs/decisions/0011): whoever uses this client must
work on when Redis is away. Short timeouts make an outage cost milliseconds per request, not the default
blocking connect.
"""

from functools import lru_cache

import redis
from django.conf import settings

TIMEOUT_SECONDS = 0.5


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS, health_check_interval=10
    )


def redis_client() -> redis.Redis | None:
    """The client for settings.REDIS_URL, or None when the app runs without Redis (the embedded default)."""
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None
