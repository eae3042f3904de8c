"""Run the embedded default in the foreground: the web app, a Celery worker and beat. Ctrl-C stops all.

Used by `make run` and by the smoke test. PORT (default 8000) picks the web port. The worker logs warnings only
(VERBOSE=1 shows its banner and every task). Once the web app answers and the start-up output has settled, a
short summary (the address, the demo logins, and for the user with a role per store which stores they manage and
serve) is printed last, so it does not scroll away.

Parcel tracking runs against the local Kuaidi100-speaking server (devtools.kuaidi100_server), started here in a
thread: the app subscribes each demo parcel to it with the real subscribe call, and it pushes signed progress to
the app's /hooks/kuaidi100/ following var/demo_tracking_plan.json (seed_demo_logistics: one parcel per store has
stalled, one runs into 疑难, the rest are signed for). TRACKING_STEP_SECONDS (default 20) paces the pushes; set
TRACKING_BACKEND yourself to use another backend instead.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm.demo import DEMO_USERS  # noqa: E402 (plain data, no Django needed)

QUIET_SECONDS = 1.5  # the summary waits for this long a silence in the children's output
SUMMARY_TIMEOUT = 60.0  # ... but no longer than this after start

ROLE_NAMES = {"agent": "agent", "store_manager": "manager", "admin": "admin"}


def summary(base_url: str) -> str:
    width = 78
    lines = ["", "─" * width, f" After-sales CRM is running at {base_url}", ""]
    for user in DEMO_USERS:
        where = f"   {base_url}admin/ (API keys, every store)" if user.role == "admin" else ""
        lines.append(f"   {ROLE_NAMES.get(user.role, user.role):<8} {user.username} / {user.password}{where}")
        if user.mixed_roles:  # roles are per store (ADR 0045): say which, so a visitor can try both sides
            lines.append(f"            {user.mixed_roles}")
    lines += ["", " Worker and beat run quietly (VERBOSE=1 shows their log). Ctrl-C stops everything.", "─" * width]
    return "\n".join(lines)


class Output:
    """Forwards each child's output line by line and remembers when the last line came."""

    def __init__(self) -> None:
        self.last_line_at = time.monotonic()
        self.lock = threading.Lock()

    def forward(self, stream) -> None:
        for line in iter(stream.readline, ""):
            with self.lock:
                sys.stdout.write(line)
                sys.stdout.flush()
                self.last_line_at = time.monotonic()

    def print(self, text: str) -> None:
        with self.lock:
            print(text, flush=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status == 200
    except OSError:
        return False


def main() -> int:
    python = sys.executable
    port = os.environ.get("PORT", "8000")
    base_url = f"http://127.0.0.1:{port}/"
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    verbose = os.environ.get("VERBOSE", "") not in ("", "0")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.embedded", "PYTHONUNBUFFERED": "1"}
    tracking = None
    if "TRACKING_BACKEND" not in os.environ:
        tracking, tracking_env = _local_tracking(var_dir, port)
        env.update(tracking_env)
    celery = [python, "-m", "celery", "-A", "config"] + ([] if verbose else ["--quiet"])
    commands = {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        # -B runs beat inside the worker: one process tree, one schedule, no extra server.
        "worker": [
            *celery, "worker", "-B", f"--loglevel={'INFO' if verbose else 'WARNING'}", "--concurrency=2",
            "--schedule", str(var_dir / "celerybeat-schedule"),
        ],
    }  # fmt: skip
    output = Output()
    children = {}
    for name, cmd in commands.items():
        child = subprocess.Popen(
            cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=output.forward, args=(child.stdout,), daemon=True, name=f"{name}-output").start()
        children[name] = child

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code, started, web_up, summarised = 0, time.monotonic(), False, False
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                output.print(f"{name} exited with {child.returncode}; stopping the rest.")
                exit_code, stopping = 1, True
        # Asked until it answers once: each request is a line in the web's log, which would never settle.
        web_up = web_up or _answers(f"{base_url}healthz/live")
        if web_up and not summarised:
            settled = time.monotonic() - output.last_line_at >= QUIET_SECONDS
            if settled or time.monotonic() - started > SUMMARY_TIMEOUT:
                output.print(summary(base_url))
                summarised = True
        time.sleep(0.3)

    for child in children.values():
        if child.poll() is None:
            # The main process only: Celery's then stops its pool itself (a pool process killed under it would be
            # logged as an error). Its whole group is killed below if it does not stop in time.
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    if tracking is not None:
        tracking.stop()
    output.print("Stopped.")
    return exit_code


def _local_tracking(var_dir: Path, port: str):
    """The Kuaidi100-speaking server in a thread, and the settings that point the app at it."""
    from devtools.kuaidi100_server import Kuaidi100Server

    plan_path = var_dir / "demo_tracking_plan.json"
    plan = json.loads(plan_path.read_text()) if plan_path.exists() else {"*": "on_time"}
    key = "local-key"
    server = Kuaidi100Server(
        key=key, plan=plan, step_seconds=float(os.environ.get("TRACKING_STEP_SECONDS", "20"))
    ).start()
    print(f"Local Kuaidi100-speaking server on {server.poll_url}", flush=True)
    return server, {
        "TRACKING_BACKEND": "logistics.tracking.kuaidi100.Kuaidi100Backend",
        "KUAIDI100_POLL_URL": server.poll_url,
        "KUAIDI100_KEY": key,
        "KUAIDI100_SALT": secrets.token_hex(16),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOGISTICS_SWEEP_INTERVAL_SECONDS": os.environ.get("LOGISTICS_SWEEP_INTERVAL_SECONDS", "30"),
    }


if __name__ == "__main__":
    sys.exit(main())
