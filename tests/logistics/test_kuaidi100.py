"""The Kuaidi100 backend and hook through real HTTP: our subscribe call to devtools.kuaidi100_server, its signed
pushes to our live server. Nothing is mocked."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from crm.models import Order
from logistics.models import Checkpoint, Shipment
from logistics.services.shipments import shipment_subscribe, shipments_resubscribe_due
from logistics.tracking.kuaidi100 import PROVIDER_TZ, sign
from tests.crm.api.conftest import Api
from tests.factories import OrderFactory

from .conftest import ship

pytestmark = pytest.mark.django_db(transaction=True)
ACK = '{"result":true,"returnCode":"200","message":"提交成功"}'


@pytest.fixture
def subscribed(kuaidi100):
    shipment = ship(hours_ago=3)
    assert shipment_subscribe(shipment_id=shipment.pk)
    return shipment


def _history(server, number, *steps):
    """Push after push, one checkpoint each (state, context), an hour apart; returns each push's data."""
    base = timezone.now() - timedelta(hours=len(steps) + 1)
    return [
        server.advance(number, state=state, context=context, at=base + timedelta(hours=i))
        for i, (state, context) in enumerate(steps)
    ]


def test_subscribe_sends_kuaidi100s_poll_call(subscribed, kuaidi100, live_server):
    [subscription] = kuaidi100.subscriptions
    param = subscription["param"]
    assert (param["company"], param["number"], param["key"]) == ("shunfeng", subscribed.tracking_number, "test-key")
    assert param["parameters"]["callbackurl"] == f"{live_server.url}/hooks/kuaidi100/"
    assert param["parameters"]["salt"] == "test-salt" and param["parameters"]["resultv2"] == "1"
    assert param["parameters"]["phone"] == subscribed.order.customer.phone[-4:]  # SF Express asks for it
    assert Shipment.objects.get().subscribed_at is not None


def test_a_wrong_key_is_recorded_and_not_retried(subscribed, kuaidi100, settings):
    settings.KUAIDI100_KEY = "wrong"
    other = ship(hours_ago=2)
    assert not shipment_subscribe(shipment_id=other.pk)
    other.refresh_from_db()
    assert other.subscribe_error.startswith("600") and other.resubscribe_after is None


def test_a_parcel_on_time_is_tracked_to_its_delivery_and_the_follow_up_is_planned_once(subscribed, kuaidi100):
    kuaidi100.scenario(subscribed.tracking_number, "on_time")
    assert kuaidi100.run_due() == 6
    assert {p["status"] for p in kuaidi100.pushes} == {200}
    assert {p["body"] for p in kuaidi100.pushes} == {ACK}
    shipment = Shipment.objects.get()
    assert shipment.state == "signed" and not shipment.is_open and shipment.signed_at == shipment.last_event_at
    assert shipment.checkpoints.count() == 6
    order = Order.objects.get()
    assert order.delivered_at == shipment.signed_at and order.status == "delivered"
    assert order.followups.count() == 1  # planned exactly as POST /api/v1/deliveries would
    # The order system reports the same delivery afterwards: nothing changes.
    from crm.services.api_tokens import api_token_create

    _token, key = api_token_create(store_codes=[order.store.code], name="ERP")
    from django.test import Client

    response = Api(Client(), key).post(
        "/api/v1/deliveries", {"order": order.external_id, "delivered_at": timezone.now().isoformat()}
    )
    assert response.json()["results"][0]["result"] == "already_delivered"
    order.refresh_from_db()
    assert order.delivered_at == shipment.signed_at and order.followups.count() == 1


def test_a_delivery_reported_first_is_not_recorded_again_from_tracking(subscribed, kuaidi100):
    from crm.services.order_delivery import orders_mark_delivered

    reported = timezone.now() - timedelta(minutes=30)
    orders_mark_delivered(deliveries=[(subscribed.order, reported)])
    kuaidi100.scenario(subscribed.tracking_number, "on_time")
    kuaidi100.run_due()
    order = Order.objects.get()
    assert order.delivered_at == reported and order.followups.count() == 1
    assert Shipment.objects.get().state == "signed"


def test_a_signature_off_by_one_character_is_refused_and_stored_nowhere(subscribed, kuaidi100):
    from devtools.kuaidi100_server import sign

    number = subscribed.tracking_number
    kuaidi100.state.parcels[number].data = [
        {"context": "已揽收", "time": "2026-12-01 10:00:00", "ftime": "2026-12-01 10:00:00", "status": "揽收"}
    ]
    body = kuaidi100.push_body(number, state="1", data=kuaidi100.state.parcels[number].data)
    good = sign(body, "test-salt")
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    answer = kuaidi100.post(kuaidi100.state.parcels[number].callbackurl, param=body, signature=forged)
    assert answer["status"] == 403 and "bad_signature" in answer["body"]
    answer = kuaidi100.post(kuaidi100.state.parcels[number].callbackurl, param=body, signature=good.lower())
    assert answer["status"] == 403
    assert not Checkpoint.objects.exists()
    assert Shipment.objects.get().state == "pending"
    assert kuaidi100.post(kuaidi100.state.parcels[number].callbackurl, param=body, signature=good)["status"] == 200
    assert Shipment.objects.get().state == "picked_up"


def test_a_push_for_an_unknown_number_is_refused(subscribed, kuaidi100):
    from devtools.kuaidi100_server import sign

    number = subscribed.tracking_number
    body = kuaidi100.push_body(number, state="0", data=[]).replace(number, "SF-NOT-OURS")
    url = kuaidi100.state.parcels[number].callbackurl
    answer = kuaidi100.post(url, param=body, signature=sign(body, "test-salt"))
    assert answer["status"] == 404 and "unknown_tracking_number" in answer["body"]
    assert not Checkpoint.objects.exists()


def test_the_same_push_five_times_and_an_older_one_after_a_newer_leave_one_state(subscribed, kuaidi100):
    number = subscribed.tracking_number
    _history(kuaidi100, number, ("1", "已揽收"), ("0", "到达转运中心"))
    older = list(kuaidi100.state.parcels[number].data)
    _history(kuaidi100, number, ("5", "派件中"))
    newest = list(kuaidi100.state.parcels[number].data)
    assert len(newest) == 3
    before = Shipment.objects.get()
    for _ in range(5):
        assert kuaidi100.push(number, state="5", data=newest)["status"] == 200
    assert kuaidi100.push(number, state="0", data=older)["status"] == 200  # late, out of order
    after = Shipment.objects.get()
    assert after.state == "out_for_delivery" and after.deliver_by is not None
    assert after.updated_at == before.updated_at  # none of the six changed anything
    assert Checkpoint.objects.count() == 3


def test_an_aborted_number_is_subscribed_again_after_thirty_minutes(subscribed, kuaidi100):
    number = subscribed.tracking_number
    _history(kuaidi100, number, ("1", "已揽收"))
    kuaidi100.abort(number)
    shipment = Shipment.objects.get()
    assert shipment.provider_status == "abort" and shipment.resubscribe_after is not None
    assert shipments_resubscribe_due() == 0  # not before thirty minutes
    assert shipments_resubscribe_due(now=timezone.now() + timedelta(minutes=31)) == 1
    assert len(kuaidi100.subscriptions) == 2
    assert Shipment.objects.get().resubscribe_after is None


def test_the_order_of_another_parcel_is_untouched(subscribed, kuaidi100):
    bystander = OrderFactory()
    kuaidi100.scenario(subscribed.tracking_number, "on_time")
    kuaidi100.run_due()
    bystander.refresh_from_db()
    assert bystander.delivered_at is None


IN_TWO_DAYS = object()


@pytest.mark.parametrize(
    ("suffix", "step"),
    [
        ("\x00", {"context": "已揽收", "ftime": "2026-12-01 10:00:00"}),
        ("", {"context": "已\x00揽收", "ftime": "2026-12-01 10:00:00"}),
        ("", {"context": "已揽收", "ftime": "2026-12-01 10:00:00", "areaName": "\ud800"}),
        ("", {"context": "已揽收", "ftime": "0001-01-01 00:00:00"}),
        ("", {"context": "已揽收", "ftime": "9999-12-31 23:59:59"}),
        ("", {"context": "已揽收", "ftime": IN_TWO_DAYS}),
    ],
    ids=["NUL in the number", "NUL in a context", "a lone surrogate", "a time in year 1", "year 9999", "in 2 days"],
)
def test_a_signed_push_with_text_we_cannot_store_is_malformed(settings, suffix, step):
    # The first four were 500s (PostgreSQL refuses NUL, UTF-8 a lone surrogate, UTC the hours before year 1 began);
    # a time days ahead was stored, and its checkpoint then stayed the parcel's newest whatever came after.
    settings.KUAIDI100_SALT = "test-salt"
    shipment = ship(hours_ago=3)
    if step["ftime"] is IN_TWO_DAYS:  # read off the clock as the test runs, not as the suite is collected
        step = {**step, "ftime": f"{timezone.now() + timedelta(days=2):%Y-%m-%d %H:%M:%S}"}
    last = {"nu": shipment.tracking_number + suffix, "com": "shunfeng", "state": "1", "data": [step]}
    param = json.dumps({"status": "polling", "lastResult": last})  # escapes NUL and the surrogate as \u....

    response = Client().post("/hooks/kuaidi100/", {"param": param, "sign": sign(param, "test-salt")})

    assert response.status_code == 400 and response.json()["code"] == "malformed_push"
    assert not Checkpoint.objects.exists() and Shipment.objects.get().state == "pending"


def test_a_signed_push_nested_deeper_than_the_parser_goes_is_malformed(settings):
    # A 500 (RecursionError): Kuaidi100 signs whatever param it sends, nesting and all.
    settings.KUAIDI100_SALT = "test-salt"
    shipment = ship(hours_ago=3)
    step = {"context": "已揽收", "ftime": "2026-12-01 10:00:00", "extra": "NESTED"}
    last = {"nu": shipment.tracking_number, "com": "shunfeng", "state": "1", "data": [step]}
    param = json.dumps({"status": "polling", "lastResult": last}).replace('"NESTED"', "[" * 100_000 + "]" * 100_000)

    response = Client().post("/hooks/kuaidi100/", {"param": param, "sign": sign(param, "test-salt")})

    assert response.status_code == 400 and response.json()["code"] == "malformed_push"
    assert not Checkpoint.objects.exists() and Shipment.objects.get().state == "pending"


def test_a_push_larger_than_we_read_is_a_json_413(settings):
    settings.KUAIDI100_SALT, settings.DATA_UPLOAD_MAX_MEMORY_SIZE = "test-salt", 1000
    shipment = ship(hours_ago=3)
    step = {"context": "已揽收" * 200, "ftime": "2026-12-01 10:00:00"}
    param = json.dumps({"status": "polling", "lastResult": {"nu": shipment.tracking_number, "data": [step]}})

    response = Client().post("/hooks/kuaidi100/", {"param": param, "sign": sign(param, "test-salt")})

    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert not Checkpoint.objects.exists()


def test_a_checkpoint_a_few_hours_ahead_of_our_clock_is_kept(settings):
    # Kuaidi100 writes Beijing wall time without an offset, and a courier's clock may run ahead: hours are tolerated.
    settings.KUAIDI100_SALT = "test-salt"
    shipment = ship(hours_ago=3)
    ahead = timezone.localtime(timezone.now() + timedelta(hours=3), PROVIDER_TZ)
    step = {"context": "已揽收", "ftime": f"{ahead:%Y-%m-%d %H:%M:%S}"}
    last = {"nu": shipment.tracking_number, "com": "shunfeng", "state": "1", "data": [step]}
    param = json.dumps({"status": "polling", "lastResult": last})

    response = Client().post("/hooks/kuaidi100/", {"param": param, "sign": sign(param, "test-salt")})

    assert response.status_code == 200 and Checkpoint.objects.get().text == "已揽收"
