"""`make run` as a new user runs it: start, log-in page, heartbeat through the no-server broker, Ctrl-C."""

import signal
import subprocess
import sys
import threading
import time

import pytest

from .procs import ROOT, clean_env, free_port, heartbeat_runs, http_get, stop_group, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.real_clock]


def test_make_run_serves_pages_runs_tasks_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(
        VAR_DIR=str(tmp_path / "var"), PORT=str(port), HEARTBEAT_INTERVAL_SECONDS="1", PYTHON=sys.executable
    )
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        status, body = wait_for(
            lambda: http_get(f"{base}/accounts/login/"), timeout=400, what="the login page", procs=[proc]
        )
        assert status == 200 and b'name="password"' in body
        wait_for(lambda: heartbeat_runs(base) >= 1, timeout=60, what="a heartbeat through the filesystem broker")
        assert (tmp_path / "var" / "crm.sqlite3").exists()
        wait_for(lambda: any("Ctrl-C stops everything" in line for line in lines), timeout=90, what="the summary")
        time.sleep(3)  # the worker keeps running (heartbeats, sweeps): it must stay quiet
        running = len(lines)
    finally:
        stop_group(proc, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    reader.join(timeout=30)
    output = "".join(lines)
    # The summary comes last: after it, until Ctrl-C, only the web's request lines (ours, polling).
    started = "".join(lines[:running])
    after = started[started.rindex("After-sales CRM is running at") :]
    summary, _, rest = after.partition("Ctrl-C stops everything")
    for login in ("demo-agent / demo-agent-pass", "demo-manager / demo-manager-pass", "demo-admin / demo-admin-pass"):
        assert login in summary, summary
    assert f"{base}/admin/" in summary, summary
    # Console telephony's messages are the demo's own output: a care SMS falls due whenever the store's sending
    # hours allow, which may be right after start-up (each printed once, by its sid).
    sent = [line for line in rest.splitlines() if "] [SMS SM" in line]
    assert len({line.split("[SMS ")[1].split("]")[0] for line in sent}) == len(sent), sent
    # The demo's local Kuaidi100 server pushes its parcels' checkpoints whenever beat subscribes them, which on a busy
    # machine can come after the summary: those requests are the demo's own traffic too, when they are accepted.
    pushes = [line for line in rest.splitlines() if '"POST /hooks/kuaidi100/ HTTP/1.1" 200 ' in line]
    noise = [
        line
        for line in rest.splitlines()[2:]
        if line.strip() and '"GET ' not in line and line not in sent and line not in pushes
    ]
    assert noise == [], noise
    # The worker is quiet by default: no banner, no line per task.
    assert "celery@" not in output and "succeeded in" not in output, output[-3000:]
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], f"processes still running after Ctrl-C: {leftovers}"
    with pytest.raises(OSError):
        http_get(f"{base}/healthz", timeout=2)
