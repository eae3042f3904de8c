"""The log as an operator of the embedded default reads it (DEBUG on): each line once, no traceback for a 403.

In a process of its own: logging is configured once, by django.setup(), exactly as `make run` configures it.
"""

import subprocess
import sys

from tests.system.procs import ROOT, clean_env

PROBE = """
import django
django.setup()
import logging
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory

logging.getLogger("django.request").warning("a django line")
logging.getLogger("crm.probe").warning("an app line")
# What the request handler does with a view that raises PermissionDenied (an agent on a manager's page).
response_for_exception(RequestFactory().get("/manager/"), PermissionDenied())
"""


def _embedded_log(tmp_path) -> str:
    env = clean_env(DJANGO_SETTINGS_MODULE="config.settings.embedded", VAR_DIR=str(tmp_path), DEBUG="true")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_each_line_is_logged_once(tmp_path):
    log = _embedded_log(tmp_path)
    assert log.count("a django line") == 1, log
    assert log.count("an app line") == 1, log


def test_an_ordinary_403_is_one_line_without_a_traceback(tmp_path):
    log = _embedded_log(tmp_path)
    assert log.count("Forbidden (Permission denied): /manager/") == 1, log
    assert "PermissionDenied" not in log and "Traceback" not in log, log
