"""A manager who changes the store's SMS hours (or call hours) moves the parcel notices held for them, as held care SMS
move: a delay SMS held for a 09:00 opening stayed at 09:00 after the hours became 10:00-20:00 (the gate then held it
again at the claim), and one held overnight for 09:00 still waited for the morning after the evening was widened to
22:00. Now held notices follow the new hours in the policy change's transaction, from the policy page or the admin."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.policy import policy_update
from logistics.models import ShipmentNotice
from logistics.services.delays import delays_follow_up, delays_sweep
from logistics.services.notices import notices_send_due
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update
from tests.factories import AgentFactory, ManagerFactory, OrderFactory
from tests.policy_forms import policy_admin_form
from tests.reports.test_policy import _followup_post

from .conftest import ship

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def _late_parcel(store, now, amount="500.00"):
    """A parcel with no scan for 60 hours, found late at `now`: its delay notice planned (held while the hours are
    shut)."""
    with time_machine.travel(now, tick=False):
        shipment = ship(OrderFactory(customer__store=store, total_amount=Decimal(amount)), hours_ago=80)
        shipment_apply_update(
            shipment_id=shipment.pk,
            update=TrackingUpdate(
                number=shipment.tracking_number,
                couriers=(shipment.courier,),
                state="in_transit",
                checkpoints=[TrackedCheckpoint(at=now - timedelta(hours=60), text="快件到达【杭州转运中心】")],
            ),
        )
        delays_sweep()
        delays_follow_up()
    return shipment


def _held_sms(store, now):
    return ShipmentNotice.objects.get(shipment=_late_parcel(store, now), channel="sms")


@pytest.fixture
def manager_client(client, store):
    client.force_login(ManagerFactory(stores=[store]).user)
    return client


def _post_policy(client, store, moment, **changes):
    with time_machine.travel(moment, tick=False):
        answer = client.post("/manager/policy/followup/", _followup_post(store, **changes))
    assert answer.status_code == 302, answer.text[:2000]


def test_a_notice_held_for_nine_waits_for_the_new_ten_oclock_opening(store, manager_client):
    notice = _held_sms(store, at(22, 23))
    assert (notice.status, notice.due_at) == ("planned", at(23, 9))

    _post_policy(manager_client, store, at(22, 23, 30), sms_send_from="10:00", sms_send_until="20:00")

    notice.refresh_from_db()
    assert (notice.status, notice.due_at) == ("planned", at(23, 10))
    with time_machine.travel(at(23, 9, 30), tick=False):
        notices_send_due(time_budget=5)
    notice.refresh_from_db()
    assert notice.status == "planned"  # not claimed at 09:30, before the store's hours


def test_a_notice_held_overnight_goes_tonight_once_the_evening_is_widened(store, manager_client):
    notice = _held_sms(store, at(22, 21, 30))
    assert notice.due_at == at(23, 9)
    widened = at(22, 21, 40)

    _post_policy(manager_client, store, widened, sms_send_until="22:00")

    notice.refresh_from_db()
    assert notice.due_at == widened
    with time_machine.travel(widened + timedelta(minutes=1), tick=False):
        notices_send_due(time_budget=5)
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_a_change_of_anything_but_the_hours_moves_no_notice(store):
    notice = _held_sms(store, at(22, 23))
    before = notice.updated_at

    with time_machine.travel(at(22, 23, 30), tick=False):
        policy_update(store=store, actor=None, changes={"max_call_attempts": 2, "marketing_cap": 2})

    notice.refresh_from_db()
    assert (notice.due_at, notice.updated_at) == (at(23, 9), before)


def test_new_sms_hours_saved_in_the_admin_move_the_held_notices_too(admin_client, store):
    notice = _held_sms(store, at(22, 23))
    form = policy_admin_form(store, sms_send_from="10:00", sms_send_until="20:00")

    with time_machine.travel(at(22, 23, 30), tick=False):
        answer = admin_client.post("/admin/callbacks/followuppolicy/add/", form)

    assert answer.status_code == 302, answer.text[:2000]
    notice.refresh_from_db()
    assert notice.due_at == at(23, 10)


def test_a_parcel_call_notice_shows_its_call_tasks_window_in_the_new_call_hours(store, manager_client):
    AgentFactory(stores=[store])
    shipment = _late_parcel(store, at(23, 8), amount="1500.00")  # a call-tier order: a call task today
    notice = ShipmentNotice.objects.get(shipment=shipment, channel="call")
    assert notice.due_at == at(23, 9)

    _post_policy(manager_client, store, at(23, 8, 30), call_hours_from="10:00")

    notice.refresh_from_db()
    task = FollowUp.objects.get(purpose="logistics")
    assert notice.due_at == task.window_start == at(23, 10)
    assert task.window_end.astimezone(SHANGHAI).time() == time(21)


def test_a_parcel_call_notice_shows_its_call_tasks_next_open_day_when_the_store_closes(store):
    """A closure recorded for today (ADR 0035) moves the parcel's call task to the next open day; the board showed the
    notice still due today, a day nobody works the queue."""
    from crm.services.closures import store_closure_add

    AgentFactory(stores=[store])
    shipment = _late_parcel(store, at(23, 8), amount="1500.00")
    notice = ShipmentNotice.objects.get(shipment=shipment, channel="call")

    with time_machine.travel(at(23, 8, 30), tick=False):
        store_closure_add(store=store, actor=None, name="停电", first_day=at(23, 0).date(), last_day=at(24, 0).date())

    notice.refresh_from_db()
    task = FollowUp.objects.get(purpose="logistics")
    assert notice.due_at == task.window_start == at(25, 9)
    assert task.contact_day == at(25, 0).date()


def test_a_parcel_found_late_during_a_closure_is_called_on_the_next_open_day(store):
    from crm.services.closures import store_closure_add

    AgentFactory(stores=[store])
    with time_machine.travel(at(22, 10), tick=False):
        store_closure_add(store=store, actor=None, name="停电", first_day=at(23, 0).date(), last_day=at(23, 0).date())
    shipment = _late_parcel(store, at(23, 8), amount="1500.00")

    notice = ShipmentNotice.objects.get(shipment=shipment, channel="call")
    assert notice.due_at == FollowUp.objects.get(purpose="logistics").window_start == at(24, 9)
