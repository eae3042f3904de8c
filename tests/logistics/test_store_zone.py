"""A store moved from Shanghai to Berlin: its parcels' deadlines stood at Shanghai's midnight, so a parcel promised
for today was found late at 17:00 Berlin time, still on its promised day, and told so; a delay SMS held for the
Shanghai morning was due at 02:00 Berlin. Now the deadlines and held notices follow the store into its new zone."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from crm.services.stores import store_timezone_change
from logistics.models import DelayRule, ShipmentDelay, ShipmentNotice
from logistics.services.delays import delayed_shipments, delays_follow_up, delays_sweep
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update
from tests.factories import AgentFactory, OrderFactory

from .conftest import ship

pytestmark = pytest.mark.django_db

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai, 09:00 in Berlin


def _move(store, *, at=NOW):
    with time_machine.travel(at, tick=False):
        store_timezone_change(store=store, zone="Europe/Berlin", actor=None)
    store.refresh_from_db()


def _scan(shipment, at, state="in_transit"):
    shipment_apply_update(
        shipment_id=shipment.pk,
        update=TrackingUpdate(
            number=shipment.tracking_number,
            couriers=(shipment.courier,),
            state=state,
            checkpoints=[TrackedCheckpoint(at=at, text="快件到达【杭州转运中心】", location="浙江,杭州市")],
        ),
    )
    shipment.refresh_from_db()


def test_a_parcel_promised_for_today_is_late_only_after_midnight_in_berlin(store):
    with time_machine.travel(NOW, tick=False):
        shipment = ship(OrderFactory(customer__store=store), hours_ago=10, promised=date(2026, 11, 23))
        _scan(shipment, NOW - timedelta(hours=1))
    assert shipment.promised_by == datetime(2026, 11, 24, tzinfo=SHANGHAI)

    _move(store)

    shipment.refresh_from_db()
    assert shipment.promised_by == datetime(2026, 11, 24, tzinfo=BERLIN)
    evening = datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)
    assert not delayed_shipments(store=store, rule=DelayRule.PAST_PROMISED, now=evening).exists()


def test_out_for_delivery_is_late_from_the_end_of_the_berlin_day(store):
    with time_machine.travel(NOW, tick=False):
        shipment = ship(OrderFactory(customer__store=store), hours_ago=20)
        _scan(shipment, NOW - timedelta(hours=1), state="out_for_delivery")  # 08:00 in Berlin
    assert shipment.deliver_by == datetime(2026, 11, 24, tzinfo=SHANGHAI)

    _move(store)

    shipment.refresh_from_db()
    assert shipment.deliver_by == datetime(2026, 11, 24, tzinfo=BERLIN)


def test_a_deadline_whose_delay_was_found_stays_as_it_was(store):
    with time_machine.travel(NOW, tick=False):
        shipment = ship(OrderFactory(customer__store=store), hours_ago=60, promised=date(2026, 11, 22))
        _scan(shipment, NOW - timedelta(hours=1))
        delays_sweep()
    assert ShipmentDelay.objects.filter(shipment=shipment, rule="past_promised").exists()

    _move(store)

    shipment.refresh_from_db()
    assert shipment.promised_by == datetime(2026, 11, 23, tzinfo=SHANGHAI)


def test_a_delay_sms_held_for_the_shanghai_morning_goes_at_once_in_the_berlin_afternoon(store):
    night = datetime(2026, 11, 22, 23, 0, tzinfo=SHANGHAI)
    with time_machine.travel(night, tick=False):
        shipment = ship(OrderFactory(customer__store=store, total_amount=Decimal("500.00")), hours_ago=80)
        _scan(shipment, night - timedelta(hours=60))
        delays_sweep()
    notice = ShipmentNotice.objects.get(shipment=shipment, channel="sms")
    assert (notice.status, notice.due_at) == ("planned", datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))
    moved_at = datetime(2026, 11, 22, 16, 30, tzinfo=BERLIN)  # 23:30 in Shanghai

    _move(store, at=moved_at)

    notice.refresh_from_db()
    assert notice.due_at == moved_at


def test_a_call_notice_shows_its_call_tasks_new_window(store):
    AgentFactory(stores=[store])
    with time_machine.travel(NOW, tick=False):
        shipment = ship(OrderFactory(customer__store=store), hours_ago=80)
        _scan(shipment, NOW - timedelta(hours=60))
        delays_sweep()
        delays_follow_up()
    notice = ShipmentNotice.objects.get(shipment=shipment, channel="call")
    assert notice.due_at == datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)

    _move(store)

    notice.refresh_from_db()
    task = FollowUp.objects.get(purpose="logistics")
    assert notice.due_at == task.window_start == datetime(2026, 11, 23, 9, tzinfo=BERLIN)
