"""/healthz reports each dependency and answers 503 when one is down; what went wrong goes to the log, not to
whoever asked."""

import logging
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
    assert checks["redis"]["status"] == "down"
    assert checks["database"]["status"] == "ok"


def test_a_dependency_down_is_named_but_its_error_goes_to_the_log_only(client, settings, caplog):
    """The exception text names hosts, ports and users: anyone may ask /healthz, only operators read the log."""
    heartbeat()
    redis_port, broker_port = free_port(), free_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{redis_port}/0"
    settings.CELERY_BROKER_URL = f"redis://crm-broker-user:s3cret@127.0.0.1:{broker_port}/0"
    with caplog.at_level(logging.WARNING, logger="crm.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["status"] == checks["broker"]["status"] == "down"
    public = response.content.decode()
    for secret in (str(redis_port), str(broker_port), "127.0.0.1", "crm-broker-user", "s3cret", "refused", "Error"):
        assert secret not in public
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "crm.health")
    assert "redis" in logged and str(redis_port) in logged and "refused" in logged.lower()
    assert "broker" in logged


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
