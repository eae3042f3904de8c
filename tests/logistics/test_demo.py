"""make run's parcels: every demo order on its way is tracked; the local server moves them as the plan says."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from logistics.models import Shipment, ShipmentDelay, ShipmentNotice
from logistics.services.delays import delays_sweep
from logistics.services.shipments import shipments_resubscribe_due
from reports.models import DailyCount


def _seed(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo_logistics")
    return json.loads((tmp_path / "demo_tracking_plan.json").read_text())


@pytest.mark.django_db
def test_demo_parcels_load_twice_without_doubling_and_one_per_store_has_stalled(settings, tmp_path):
    plan = _seed(settings, tmp_path)
    count = Shipment.objects.count()
    call_command("seed_demo_logistics")
    assert Shipment.objects.count() == count > 0
    stores = Shipment.objects.values("store").distinct().count()
    assert sum(1 for scenario in plan.values() if scenario == "hold") == stores
    # The seed found the stalled parcels' delays itself, so `make run`'s refresh_rollups (next) reports them at once,
    # not five minutes in; the worker's first sweep has nothing left to find.
    assert ShipmentDelay.objects.filter(rule="no_update").count() == stores
    assert delays_sweep().found == {}
    call_command("refresh_rollups")
    rows = DailyCount.objects.filter(metric="parcel_delay", key="no_update", month=False)
    assert rows.aggregate(n=Sum("count"))["n"] == stores, list(rows.values())


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), tick=False)  # inside every demo store's SMS hours
def test_the_demo_tells_the_customers_of_stalled_parcels_first(settings, tmp_path, client):
    """Each store's stalled parcel: the customer was sent the delay SMS by the seed, so the board shows it sent and
    `make run`'s refresh_rollups (next) counts them told first, not five minutes in."""
    _seed(settings, tmp_path)
    sms = ShipmentNotice.objects.filter(kind="delay", channel="sms", rule="no_update").select_related("shipment")
    assert sms.count() == Shipment.objects.values("store").distinct().count() == 3
    assert set(sms.values_list("status", flat=True)) == {"sent"}
    call_command("refresh_rollups")
    told_first = DailyCount.objects.filter(metric="parcel_delay_told_first", key="no_update", month=False)
    assert told_first.aggregate(n=Sum("count"))["n"] == sms.count()
    client.post("/accounts/login/", {"username": "demo-agent", "password": "demo-agent-pass"})
    board = client.get("/logistics/", headers={"Accept-Language": "en"}).text
    for notice in sms:
        row = board.split(f'data-number="{notice.shipment.tracking_number}"')[1].split("</tr>")[0]
        assert "SMS: Sent" in row.split('data-testid="told"')[1], row


@pytest.mark.django_db
def test_demo_parcels_are_promised_two_days_ahead_in_each_stores_own_calendar(settings, tmp_path):
    # 17:30 UTC on 6 December: already the 7th in Shanghai, still the 6th in Urumqi (23:30) and Berlin.
    with time_machine.travel(datetime(2026, 12, 6, 17, 30, tzinfo=UTC), tick=False):
        _seed(settings, tmp_path)
    promised = {(s.store.timezone, s.promised_date) for s in Shipment.objects.select_related("store")}
    assert promised == {
        ("Asia/Shanghai", date(2026, 12, 9)),
        ("Asia/Urumqi", date(2026, 12, 8)),
        ("Europe/Berlin", date(2026, 12, 8)),
    }


@pytest.mark.django_db(transaction=True)
def test_the_local_server_moves_the_demo_parcels_as_planned(settings, tmp_path, kuaidi100):
    plan = _seed(settings, tmp_path)
    kuaidi100.state.plan, kuaidi100.state.step_seconds = plan, 0.0
    assert shipments_resubscribe_due() == Shipment.objects.count()  # the safety net subscribes every new parcel
    while kuaidi100.run_due():
        pass
    states = {s.tracking_number: s.state for s in Shipment.objects.all()}
    for number, state in states.items():
        expected = {"hold": "in_transit", "exception": "problem"}.get(plan.get(number, "arriving"), "signed")
        assert state == expected, number
    assert Shipment.objects.filter(state="signed", order__delivered_at__isnull=False).count() == sum(
        1 for state in states.values() if state == "signed"
    )


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 12, 7, 6, 0, tzinfo=UTC), tick=False)  # noon in Urumqi
def test_the_jade_stores_closure_tomorrow_moves_the_call_back_its_customer_asked_for(settings, tmp_path, client):
    """ADR 0035: the customer of the jade store's stalled parcel asked to be called back tomorrow at 19:30; its manager
    then recorded tomorrow's closure, which moved the call to the next open day's call hours. Once, on a second run."""
    from callbacks.models import CallAttempt, FollowUp
    from crm.models import Store, StoreClosure

    _seed(settings, tmp_path)
    call_command("seed_demo_logistics")
    jade = Store.objects.get(code="jade-jd")
    closure = StoreClosure.objects.get(store=jade)
    assert (closure.first_day, closure.last_day, closure.ended_at) == (date(2026, 12, 8), date(2026, 12, 8), None)
    attempt = CallAttempt.objects.select_related("followup").get(followup__store=jade, outcome="call_back")
    asked = attempt.callback_at.astimezone(jade.tzinfo)
    assert (asked.date(), asked.strftime("%H:%M")) == (date(2026, 12, 8), "19:30")
    task = attempt.followup
    assert (task.purpose, task.status) == (FollowUp.Purpose.LOGISTICS, FollowUp.Status.PLANNED)
    moved = task.window_start.astimezone(jade.tzinfo)
    assert (moved.date(), moved.strftime("%H:%M")) == (date(2026, 12, 9), "09:00")
    # The jade store's manager (demo-lead, ADR 0045) sees it on the policy page; the call's agent on the call panel.
    client.post("/accounts/login/", {"username": "demo-lead", "password": "demo-lead-pass"})
    policy = client.get("/manager/policy/", {"store": jade.code}, headers={"Accept-Language": "en"}).text
    row = policy.split(f'data-testid="closure-{closure.pk}"')[1].split("</tr>")[0]
    assert closure.name in row and "2026-12-08" in row
    client.post(
        "/accounts/login/", {"username": task.assignee.user.username, "password": f"{task.assignee.user.username}-pass"}
    )
    panel = client.get(f"/calls/{task.pk}/", headers={"Accept-Language": "en"}).text
    assert "12-09 09:00" in panel and attempt.note in panel


@pytest.mark.django_db
def test_make_run_again_after_the_jade_stores_midnight_keeps_its_one_training_day_and_one_call_back(settings, tmp_path):
    """`make run` seeds at every start. Started again after midnight in Urumqi, the training day was 'tomorrow' again
    from the new day: a second closure was recorded, and the call the customer had asked for was logged and moved once
    more. The demo's closure is the one recorded on the first run, whatever day the next runs find."""
    from callbacks.models import CallAttempt
    from crm.models import Store, StoreClosure

    with time_machine.travel(datetime(2026, 12, 7, 17, 30, tzinfo=UTC), tick=False):  # 23:30 in Urumqi
        _seed(settings, tmp_path)
    with time_machine.travel(datetime(2026, 12, 7, 18, 30, tzinfo=UTC), tick=False):  # 00:30 there, the 8th
        _seed(settings, tmp_path)
    jade = Store.objects.get(code="jade-jd")
    closures = StoreClosure.objects.filter(store=jade)
    assert [(c.first_day, c.last_day) for c in closures] == [(date(2026, 12, 8), date(2026, 12, 8))]
    assert CallAttempt.objects.filter(followup__store=jade, outcome="call_back").count() == 1
    silk = StoreClosure.objects.filter(store__code="silk-tmall")
    assert silk.count() == 1
