"""The docker-compose topology as plain processes: gunicorn, worker and beat on PostgreSQL and Redis."""

import subprocess
import sys

import pytest

from .procs import ROOT, clean_env, free_port, heartbeat_runs, http_get, stop_group, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.real_clock]


def test_gunicorn_worker_and_beat_serve_a_request_and_run_a_task_through_redis(fresh_database, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        PYTHON=sys.executable,
        DATABASE_URL=fresh_database,
        REDIS_URL="redis://127.0.0.1:6379/14",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
        SECRET_KEY="topology-test-secret",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback: no TLS proxy in front
        VAR_DIR=str(tmp_path),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        WORKER_CONCURRENCY="1",
        BEAT_SCHEDULE=str(tmp_path / "beat-schedule"),
        HEARTBEAT_INTERVAL_SECONDS="1",
    )
    subprocess.run([str(ROOT / "bin/start"), "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    procs = [
        subprocess.Popen([str(ROOT / "bin/start"), role], cwd=ROOT, env=env, start_new_session=True)
        for role in ("web", "worker", "beat")
    ]
    try:
        status, body = wait_for(lambda: http_get(f"{base}/accounts/login/"), timeout=300, what="gunicorn", procs=procs)
        assert status == 200 and b"csrfmiddlewaretoken" in body
        wait_for(lambda: heartbeat_runs(base) >= 1, timeout=60, what="a heartbeat through Redis", procs=procs)
    finally:
        for proc in procs:
            stop_group(proc)
