"""Run the embedded default in the foreground: the web app, a Celery worker and beat. Ctrl-C stops all.

Used by `make run` and by the smoke test. PORT (default 8000) picks the web port.

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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    python = sys.executable
    port = os.environ.get("PORT", "8000")
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.embedded", "PYTHONUNBUFFERED": "1"}
    tracking = None
    if "TRACKING_BACKEND" not in os.environ:
        tracking, tracking_env = _local_tracking(var_dir, port)
        env.update(tracking_env)
    commands = {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        # -B runs beat inside the worker: one process tree, one schedule, no extra server.
        "worker": [
            python, "-m", "celery", "-A", "config", "worker", "-B", "--loglevel=INFO", "--concurrency=2",
            "--schedule", str(var_dir / "celerybeat-schedule"),
        ],
    }  # fmt: skip
    children = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True) for name, cmd in commands.items()
    }
    print(f"Web app on http://127.0.0.1:{port}/ , worker and beat running. Ctrl-C stops everything.", flush=True)

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping the rest.", file=sys.stderr, flush=True)
                exit_code, stopping = 1, True
        time.sleep(0.3)

    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    if tracking is not None:
        tracking.stop()
    print("Stopped.", flush=True)
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
