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


@time_machine.travel(datetime(2026, 12, 24, 4, 0, tzinfo=UTC), tick=False)  # Christmas Eve: noon in Shanghai
def test_the_berlin_demo_store_calls_nobody_while_it_is_closed(settings):
    """The EU tea store is closed on Sundays (its case desk's day off, and not one of its call days) and over
    Christmas (a closure, ADR 0035): its deliveries of Christmas Eve are called on Monday the 28th, the first open
    evening; the Shanghai stores call tonight."""
    from callbacks.services.policy import policy_for_store
    from crm.models import Store

    settings.TELEPHONY_BACKEND = "callbacks.telephony.console.ConsoleBackend"
    call_command("seed_demo")
    berlin = Store.objects.get(code="tea-own")
    assert policy_for_store(store=berlin).call_days == [0, 1, 2, 3, 4, 5]
    calls = FollowUp.objects.filter(channel__in=["call", "dedicated"], status="planned")
    evenings = {(f.store.code, f.window_start.astimezone(f.store.tzinfo).isoformat()) for f in calls}
    assert evenings and {day for code, day in evenings if code == "tea-own"} == {"2026-12-28T18:00:00+01:00"}
    assert {day[:10] for code, day in evenings if code != "tea-own"} == {"2026-12-24"}


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
