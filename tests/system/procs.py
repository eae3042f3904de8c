"""Helpers to boot the app as real processes, the way a user or an operator would."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ENV_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "TELEPHONY_BACKEND")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**overrides: str) -> dict[str, str]:
    """The caller's environment without the test suite's own app settings, plus overrides."""
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV_VARS}
    env.update(overrides)
    return env


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return response.status, response.read()


def wait_for(check: Callable[[], object], *, timeout: float, what: str, procs=(), every: float = 0.5) -> object:
    """`check()`'s first true answer, asked every `every` seconds; fails after `timeout` or if one of `procs` exits."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"a process exited early ({proc.args}) while waiting for {what}")
        try:
            result = check()
            if result:
                return result
        except Exception as exc:
            last_error = exc
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last error: {last_error!r}")


def heartbeat_runs(base_url: str) -> int:
    status, body = http_get(f"{base_url}/healthz")
    beat = json.loads(body)["worker_heartbeat"]
    return beat["runs"] if status == 200 and beat else 0


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def start_redis(port: int) -> subprocess.Popen:
    """A throwaway redis-server of the test's own on 127.0.0.1:port (no persistence), once it answers PING."""
    import redis

    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=1)
    wait_for(client.ping, timeout=10, what=f"redis-server on port {port}", procs=[proc])
    return proc
