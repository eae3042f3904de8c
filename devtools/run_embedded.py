"""Run the embedded default in the foreground: the web app, a Celery worker and beat. Ctrl-C stops all.

Used by `make run` and by the smoke test. PORT (default 8000) picks the web port.
"""

import os
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
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
