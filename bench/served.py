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


def start_gunicorn(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--preload",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 180  # a loaded machine takes long to import and warm up (the classifier)
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


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
