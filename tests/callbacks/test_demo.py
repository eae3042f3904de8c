import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

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


@time_machine.travel(datetime(2026, 11, 23, 11, 0, tzinfo=UTC), tick=False)  # noon in Berlin
def test_the_berlin_demo_store_texts_its_european_customers_in_english_and_the_others_in_chinese(settings):
    """The EU tea store's policy writes in Chinese; Anna Schmidt reads English, her own language, and gets her care
    SMS in English (she was texted in Chinese when the language was one setting per store)."""
    from callbacks.services.messages import sms_render

    settings.TELEPHONY_BACKEND = "callbacks.telephony.console.ConsoleBackend"
    call_command("seed_demo")
    texts = {
        f.customer.name: sms_render(followup=f)
        for f in FollowUp.objects.filter(store__code="tea-own", channel="sms").select_related("customer", "order")
    }
    assert texts["Anna Schmidt"].startswith("Hi Anna Schmidt, ") and texts["Anna Schmidt"].endswith(
        "Reply STOP to opt out"
    )
    # Her order is named in English too (the store's products were named in Chinese: "your 明前龙井礼盒"); the store
    # keeps its bilingual name, 茶语 Tea Words (EU).
    english = texts["Anna Schmidt"].replace("茶语 Tea Words (EU)", "Tea Words")
    assert "your Pre-Qingming Longjing Gift Box from" in english
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", english), english
    chinese = [text for name, text in texts.items() if name != "Anna Schmidt"]
    assert chinese and all(text.endswith("回T退订") for text in chinese)


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


# 16:00 in Shanghai (the store's SMS hours open: the seeds send what is due), and 00:30 there (a new day has begun:
# yesterday's delivery is the day before, and nothing is sent).
@pytest.mark.parametrize("at", [datetime(2026, 12, 7, 8, 0, tzinfo=UTC), datetime(2026, 12, 7, 16, 30, tzinfo=UTC)])
def test_the_demo_shows_a_stop_from_a_number_the_order_system_replaced(client, settings, tmp_path, at):
    """ADR 0049: yesterday's care SMS went to 李娜 at her number then; today's order batch brought her a new one; she
    replied STOP from the old number. She is opted out, the old number kept from the store's SMS, and her page shows
    the opt-out, her history the reply and the number it came from. Once, on a second run too."""
    from callbacks.management.commands.seed_demo_callbacks import CUSTOMER, NEW_PHONE
    from callbacks.models import NumberOptOut, TelephonyEvent
    from crm.demo import demo_store
    from crm.models import Customer, CustomerChange, InboundEvent

    settings.MEDIA_ROOT, settings.VAR_DIR = tmp_path, tmp_path
    former = next(p.phone for p in demo_store("silk-tmall").customers if p.external_id == CUSTOMER)
    with time_machine.travel(at, tick=True):
        for command in ("seed_demo", "seed_demo_reviews", "seed_demo_retention", "seed_demo_cases"):
            call_command(command)
        call_command("seed_demo_letters")
        call_command("seed_demo_logistics")
        call_command("seed_demo_callbacks")
        counts = [m.objects.count() for m in (FollowUp, CustomerChange, TelephonyEvent, InboundEvent, NumberOptOut)]
        call_command("seed_demo_callbacks")
        assert [m.objects.count() for m in (FollowUp, CustomerChange, TelephonyEvent, InboundEvent, NumberOptOut)] == (
            counts
        )

    customer = Customer.objects.get(store__code="silk-tmall", external_id=CUSTOMER)
    assert (customer.phone, customer.sms_opt_out) == (NEW_PHONE, True)
    number = NumberOptOut.objects.get(store=customer.store, phone=former)
    assert (number.opted_out, number.customer_id) == (True, customer.pk)
    texted = FollowUp.objects.get(customer=customer, recipient=former, status="sent", purpose="care")
    assert texted.sent_at < timezone.now() - timedelta(hours=2) and texted.order.delivered_at < texted.sent_at
    client.post("/accounts/login/", {"username": "demo-agent", "password": "demo-agent-pass"})
    page = client.get(f"/customers/{customer.pk}/", headers={"Accept-Language": "en"}).text
    assert 'data-testid="sms-opt-out"' in page and "186****0001" in page.split('data-testid="changes"')[0]
    history = page.split('data-testid="changes"')[1].split("</ul>")[0]
    assert "System: SMS opt-out: no → yes: replied “STOP” from 138****0001" in history
