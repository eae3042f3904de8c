import gc
import os
import subprocess
import sys

from django.conf import settings
from django.urls import clear_url_caches, reverse
from django.urls.resolvers import URLResolver
from django.utils import translation

from config.warmup import COLLECT_AFTER, warm_up_and_freeze


def test_start_up_freezes_what_is_loaded_and_collects_less_often():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's default: another test may have started up as a worker already
    try:
        warm_up_and_freeze()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == COLLECT_AFTER
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_start_up_builds_url_reversal_for_every_language(monkeypatch):
    """The first reverse() in a worker (its SMS status callback URL) or in a web request of either language finds
    the tables built at start-up: none is built later."""
    clear_url_caches()
    before = gc.get_threshold()
    try:
        warm_up_and_freeze()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    built = []
    original = URLResolver._populate
    monkeypatch.setattr(URLResolver, "_populate", lambda self: (built.append(self), original(self))[1])
    reverse("health")  # no language activated, as in a worker
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("health")
    assert built == []


# Run in a fresh interpreter: this test process has long since finalised the Celery app and imported its modules.
FIRST_SEND = """
import sys, django
django.setup()
from celery import current_app
from config.warmup import warm_up_and_freeze
warm_up_and_freeze()
assert current_app.finalized
before = set(sys.modules)
current_app.send_task("crm.heartbeat")
print(sorted(set(sys.modules) - before))
"""


def test_start_up_prepares_the_first_task_message():
    """The first task a web worker queues (an order batch's parcel subscriptions) imports nothing and binds no
    task: start-up did both; what is left is opening the broker connection."""
    result = subprocess.run(
        [sys.executable, "-c", FIRST_SEND], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# A worker's pool process, in a fresh interpreter: the main process has set Django up, imported the task modules
# (loader.init_worker), set up Celery's logging and redirected stdout and stderr to it before forking; the pool
# process then starts up (worker_process_init) and a task prints (console telephony's "[SMS ...]" line).
POOL_PROCESS = """
import django
django.setup()
from celery import current_app
from config.warmup import warm_up_and_freeze
current_app.loader.init_worker()
current_app.log.setup(loglevel="WARNING", redirect_stdouts=True, redirect_level="WARNING")
warm_up_and_freeze()
print("[SMS SM1] to +8613800100000: hello", flush=True)
"""


def test_start_up_of_a_worker_process_keeps_what_its_tasks_print():
    """Start-up in a worker's pool process leaves Celery's logging alone: what a task prints (the demo's console SMS)
    or logs still reaches the worker's output. (Django's setup, run again, pointed the root logger at the redirected
    stderr, which swallowed every line.)"""
    result = subprocess.run(
        [sys.executable, "-c", POOL_PROCESS], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    assert "[SMS SM1] to +8613800100000: hello" in result.stdout + result.stderr, result.stderr[-2000:]
