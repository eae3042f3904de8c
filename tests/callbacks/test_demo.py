from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 11, 23, 4, 0, tzinfo=UTC), tick=False)  # noon in Shanghai
def test_demo_deliveries_print_care_sms_and_fill_tonights_call_queue(settings, capsys):
    settings.TELEPHONY_BACKEND = "callbacks.telephony.console.ConsoleBackend"
    call_command("seed_demo")
    calls = FollowUp.objects.filter(channel__in=["call", "dedicated"], status="planned")
    assert calls.exists() and not calls.filter(assignee=None).exists()
    assert calls.filter(assignee__user__username="demo-agent", window_start__date="2026-11-23").exists()
    report = sms_dispatch_due()
    printed = capsys.readouterr().out
    assert report.sent >= 1 and printed.count("[SMS ") == report.sent
    assert "回T退订" in printed


SEND_ONE = """
import django
django.setup()
from callbacks.telephony.console import ConsoleBackend
ConsoleBackend().send_sms(to="+8613800100000", body="hi", status_callback="")
"""


def test_console_sms_ids_differ_between_processes():
    """make run sends from the seed commands and from each of the worker's pool processes: their console lines (and
    the ids the follow-ups keep) name each message once, as a provider's would, not SM…001 again in each process."""
    import os
    import subprocess
    import sys

    lines = [
        subprocess.run(
            [sys.executable, "-c", SEND_ONE], capture_output=True, text=True, timeout=120, env=os.environ.copy()
        ).stdout
        for _ in range(2)
    ]
    sids = [line.split("[SMS ")[1].split("]")[0] for line in lines]
    assert sids[0] != sids[1] and all(len(sid) == 34 and sid.startswith("SM") for sid in sids), sids
