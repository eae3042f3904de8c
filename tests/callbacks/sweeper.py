"""A dispatch sweep run in a thread of the test, for tests that act while a batch is between its claim and its send."""

import threading
import time

from django.db import connection

from callbacks.services.dispatch import sms_dispatch_due


def sweep_in_a_thread(time_budget: float = 10) -> tuple[threading.Thread, list]:
    errors = []

    def sweep():
        try:
            sms_dispatch_due(time_budget=time_budget)
        except Exception as exc:  # reported to the test, which asserts on it
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=sweep)
    thread.start()
    return thread, errors


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the sweeper never got there"
        time.sleep(0.01)
