"""Run the suite as if it ran at another moment: `SUITE_AT=<ISO time> pytest -p tests.suite_at ...`.

Every test's clock starts at SUITE_AT and ticks (time_machine, nested under a test's own travel), so a test that
builds "tonight" or "the store's evening" from the real clock shows what it does at 00:05 in Shanghai, in the
queue's window, at midnight in Berlin or on New Year's Eve, whatever the hour CI happens to run at. The database's
own clock is not moved (nothing reads it but `updated_at` defaults), nor is that of the processes a test starts:
tests marked `real_clock` keep the real one.
"""

import os
from datetime import datetime

import pytest
import time_machine


def pytest_configure(config: pytest.Config) -> None:
    if "SUITE_AT" not in os.environ:
        raise pytest.UsageError("-p tests.suite_at needs SUITE_AT, an ISO time with its offset")
    moment = datetime.fromisoformat(os.environ["SUITE_AT"])
    if moment.tzinfo is None:
        raise pytest.UsageError("SUITE_AT needs an offset (+00:00, +08:00): a naive time is no moment")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    if item.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(datetime.fromisoformat(os.environ["SUITE_AT"]), tick=True):
        yield
