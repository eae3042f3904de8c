"""/healthz reports each dependency and answers 503 when one is down."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from crm.tasks import heartbeat
from tests.system.procs import free_port

pytestmark = pytest.mark.django_db


def test_everything_up_answers_200_with_each_check(client):
    heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "redis": "ok",
        "broker": "ok",
        "worker": "ok",
    }
    assert body["worker_heartbeat"]["runs"] == 1


def test_redis_down_answers_503_naming_redis(client, settings):
    heartbeat()
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["status"] == "down" and "refused" in checks["redis"]["detail"].lower()
    assert checks["database"]["status"] == "ok"


def test_broker_down_answers_503(client, settings):
    heartbeat()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["broker"]["status"] == "down"


def test_a_stale_worker_heartbeat_answers_503_with_its_age(client, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 100
    with time_machine.travel(timezone.now() - timedelta(seconds=300)):
        heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["status"] == "down" and "last heartbeat 30" in worker["detail"]


def test_no_heartbeat_yet_is_reported_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["worker_heartbeat"] is None


def test_liveness_answers_200_while_redis_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    assert client.get("/healthz/live").json()["status"] == "ok"
