"""The app as production serves it, for benchmarks: gunicorn (production settings) on loopback, and a client
that posts bodies from several threads, one connection per request as an order system's connector does."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def production_env(database_url: str) -> dict[str, str]:
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback: no TLS terminator in front of the bench
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    port: int, workers: int, env: dict[str, str], app: str = "config.wsgi:application"
) -> subprocess.Popen:
    """gunicorn serving `app` (production's by default), once it answers /healthz. A preloaded app warms up
    first (config/warmup.py), which takes a while on a busy machine."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--preload",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},  # a bench's own app (bench.bare_push_wsgi) is importable
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn ({app}) exited with {process.returncode}") from None
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn ({app}) did not start")


def recreate_database(url: str) -> None:
    """Drop and create the bench's own database (named by `url`), empty."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "root",
                            dbname="postgres")  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def post_all(port: int, path: str, key: str, bodies: list[bytes], concurrency: int) -> tuple[float, list[dict]]:
    """(wall seconds, parsed answers) for POSTing every body; any answer but 200 stops the bench."""
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}

    def post(body: bytes) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"POST {path} answered {response.status}: {content[:500]!r}")
        return json.loads(content)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        answers = list(pool.map(post, bodies))
    return time.perf_counter() - started, answers
