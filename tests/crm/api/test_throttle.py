"""The per-token rate limit: exact under parallel clients, and it fails open when Redis is away."""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from crm.services.api_tokens import api_token_create
from tests.factories import StoreFactory
from tests.system.procs import free_port

from .helpers import order_payload


@pytest.mark.django_db(transaction=True)
def test_parallel_clients_get_exactly_the_rate_and_429_after(live_server, settings):
    settings.API_THROTTLE_RATE = "60/min"
    store = StoreFactory(code="silk-tmall")
    _token, key = api_token_create(store_codes=[store.code], name="busy connector")
    url = f"{live_server.url}/api/v1/orders"

    def client(_n: int) -> list[int]:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Token {key}"
            return [session.get(url, timeout=30).status_code for _ in range(10)]

    with ThreadPoolExecutor(10) as pool:
        statuses = [status for batch in pool.map(client, range(10)) for status in batch]
    assert statuses.count(200) == 60
    assert statuses.count(429) == 40


def test_orders_are_taken_while_redis_is_down_and_a_warning_is_logged(api, settings, caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.REDIS_URL = dead
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    with caplog.at_level(logging.WARNING, logger="crm.api.throttle"):
        response = api.post("/api/v1/orders", order_payload(1))
    assert response.status_code == 200, response.content
    assert any("Redis" in record.getMessage() for record in caplog.records)


def test_the_limit_answers_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "2/min"
    assert [api.get("/api/v1/orders").status_code for _ in range(3)] == [200, 200, 429]
    response = api.get("/api/v1/orders")
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 61
