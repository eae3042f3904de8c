"""Overlapping sweeps (beat's next run beside a slow one, the follow-up enqueued by every sweep batch beside the
sweep's own) both finish, and make each row once. Each ended in an IntegrityError; the next run recovered.

Two sessions against real PostgreSQL: the first run holds its work uncommitted until the second waits for it
(tests/locking.py), then commits; the second then goes on."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from callbacks.models import FollowUp
from logistics.models import ShipmentDelay, ShipmentNotice
from logistics.services.delays import SweepReport, delays_act, delays_follow_up
from tests.callbacks.conftest import midday_store
from tests.factories import CustomerFactory, OrderFactory
from tests.locking import overlapping

from .conftest import ship

pytestmark = pytest.mark.django_db(transaction=True)


def _call_tier_shipment():
    store = midday_store()
    order = OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("1500.00"))
    return ship(order, hours_ago=80)


def test_two_delay_sweeps_acting_on_one_parcel_record_its_delay_and_notice_once():
    # A sweep's claim (SKIP LOCKED) reads the parcels a rule fired on, minus those with a delay, in a snapshot taken
    # when its query starts: a parcel whose delay another sweep commits meanwhile is claimed by both.
    shipment = _call_tier_shipment()
    now = timezone.now()
    reports = SweepReport(), SweepReport()

    def sweep(report):
        return lambda: delays_act(store=shipment.store, rule="no_update", shipments=[shipment], now=now, report=report)

    assert overlapping(sweep(reports[0]), sweep(reports[1]))

    assert ShipmentDelay.objects.filter(shipment=shipment).count() == 1
    assert ShipmentNotice.objects.filter(shipment=shipment, channel="sms").count() == 1
    assert [r.found for r in reports] == [{"no_update": 1}, {}]
    assert [r.notices for r in reports] == [1, 0]


def test_two_follow_up_runs_on_delays_of_one_order_make_one_call_task():
    # Two rules fired on one parcel, each delay claimed by another run: both asked for the order's logistics call.
    shipment = _call_tier_shipment()
    found = timezone.now() - timedelta(minutes=1)
    common = {"store": shipment.store, "shipment": shipment, "found_at": found, "state": shipment.state}
    ShipmentDelay.objects.create(rule="no_update", **common)

    def second_run():
        ShipmentDelay.objects.create(rule="past_promised", **common)
        delays_follow_up()

    assert overlapping(delays_follow_up, second_run)

    task = FollowUp.objects.get(order=shipment.order, purpose="logistics")
    notices = ShipmentNotice.objects.filter(shipment=shipment, channel="call")
    assert sorted(notices.values_list("rule", "call_task")) == [
        ("no_update", f"followup:{task.pk}"),
        ("past_promised", f"followup:{task.pk}"),
    ]
    assert not ShipmentDelay.objects.filter(followed_up_at__isnull=True).exists()
