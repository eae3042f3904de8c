"""The delay sweep: each rule fires once per parcel, the customer is told first through the gate (once, capped),
call-tier orders get a call task for today, exceptions open a logistics case."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.telephony.memory import InMemoryBackend
from crm.models import Case, CaseEvent
from crm.services.customers import customer_update_profile
from logistics.models import DelayRule, ShipmentDelay, ShipmentNotice
from logistics.services.delays import delayed_shipments, delays_follow_up, delays_sweep
from logistics.services.notices import notices_send_due
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update, tracking_apply
from tests.callbacks.conftest import midday_store
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

from .conftest import ship

pytestmark = pytest.mark.django_db


def _order(amount="500.00", **customer):
    store = midday_store()
    return OrderFactory(customer=CustomerFactory(store=store, **customer), total_amount=Decimal(amount))


def _scan(shipment, *, hours_ago: float, state="in_transit", text="快件到达【杭州转运中心】"):
    at = timezone.now() - timedelta(hours=hours_ago)
    checkpoints = [TrackedCheckpoint(at=at, text=text, location="浙江,杭州市")]
    shipment_apply_update(
        shipment_id=shipment.pk,
        update=TrackingUpdate(number=shipment.tracking_number, couriers=(shipment.courier,), state=state,
                              checkpoints=checkpoints),
    )  # fmt: skip


def _sweep_and_send():
    report = delays_sweep()
    report.follow_up = delays_follow_up()
    notices_send_due()
    # A second notice of an order in one claim waits a minute, then the gate decides it against the cap.
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        notices_send_due()
    return report


def test_a_stalled_parcel_gets_exactly_one_notice_however_often_the_sweep_runs():
    shipment = ship(_order(), hours_ago=80)
    _scan(shipment, hours_ago=60)
    report = _sweep_and_send()
    assert report.found == {"no_update": 1}
    for _ in range(3):
        _sweep_and_send()
    assert ShipmentDelay.objects.count() == 1
    [message] = InMemoryBackend.messages
    assert message.to == shipment.order.customer.phone
    assert "在途中多停留" in message.body and message.body.endswith("回T退订")
    assert "顺丰" not in message.body and "快递" not in message.body  # the store speaks; the courier is not blamed
    notice = ShipmentNotice.objects.get()
    assert (notice.status, notice.rule, notice.provider_id) == ("sent", "no_update", message.sid)


def test_a_parcel_moving_on_time_gets_nothing():
    shipment = ship(_order(), hours_ago=30)
    _scan(shipment, hours_ago=2)
    assert _sweep_and_send().found == {}
    assert not InMemoryBackend.messages


def test_a_second_stalled_rule_respects_the_cap():
    order = _order()
    FollowUpPolicy.objects.create(store=order.store, logistics_cap_per_order=1)
    shipment = ship(order, hours_ago=80)
    assert _sweep_and_send().found == {"no_first_scan": 1}
    _scan(shipment, hours_ago=60)  # first scanned long ago, then nothing: stalled again
    assert _sweep_and_send().found == {"no_update": 1}
    assert len(InMemoryBackend.messages) == 1
    refused = ShipmentNotice.objects.get(rule="no_update")
    assert (refused.status, refused.suppressed_reason) == ("suppressed", "cap_reached")


def test_the_default_cap_allows_two_notices_per_order():
    order = _order()
    shipment = ship(order, hours_ago=80, promised=timezone.now().date() - timedelta(days=2))
    _sweep_and_send()  # no first scan, and past the promised date
    _scan(shipment, hours_ago=60)
    _sweep_and_send()  # no new checkpoint
    assert ShipmentDelay.objects.count() == 3
    assert len(InMemoryBackend.messages) == 2
    assert ShipmentNotice.objects.filter(status="suppressed", suppressed_reason="cap_reached").count() == 1


def test_a_customer_who_opted_out_of_sms_is_not_texted_and_the_reason_is_kept():
    shipment = ship(_order(sms_opt_out=True), hours_ago=30)
    _sweep_and_send()
    assert not InMemoryBackend.messages
    notice = ShipmentNotice.objects.get(shipment=shipment)
    assert (notice.status, notice.suppressed_reason) == ("suppressed", "sms_opt_out")


def test_a_call_tier_order_gets_a_call_task_for_today_with_the_couriers_last_event():
    order = _order("1500.00")
    shipment = ship(order, hours_ago=80)
    _scan(shipment, hours_ago=60, text="快件到达【上海浦东集散中心】")
    _sweep_and_send()
    task = FollowUp.objects.get(order=order)
    assert (task.purpose, task.channel, task.status) == ("logistics", "call", "planned")
    assert task.window_start <= timezone.now() + timedelta(hours=12)
    assert "上海浦东集散中心" in task.note
    assert ShipmentNotice.objects.get(channel="call").call_task == f"followup:{task.pk}"
    assert len(InMemoryBackend.messages) == 1  # and the customer is texted first


def test_a_parcel_call_the_customer_now_refuses_leaves_the_board_with_the_reason():
    order = _order("1500.00")
    ship(order, hours_ago=80)
    _sweep_and_send()
    agent = AgentFactory(stores=[order.store])
    customer_update_profile(customer=order.customer, actor=agent.user, changes={"contact_preference": "do_not_contact"})
    assert FollowUp.objects.get(order=order).status == "suppressed"
    notice = ShipmentNotice.objects.get(channel="call")
    assert (notice.status, notice.suppressed_reason) == ("suppressed", "do_not_contact")


def test_an_sms_tier_order_gets_no_call_task():
    shipment = ship(_order("500.00"), hours_ago=30)
    _sweep_and_send()
    assert not FollowUp.objects.filter(order=shipment.order).exists()


def test_an_exception_opens_a_logistics_case_with_the_checkpoints_as_evidence():
    shipment = ship(_order(), hours_ago=30)
    _scan(shipment, hours_ago=20, text="快件到达【杭州转运中心】")
    _scan(shipment, hours_ago=1, state="problem", text="收件地址不详，快件暂存网点")
    report = _sweep_and_send()
    assert report.found == {"exception": 1} and report.follow_up.cases == 1
    case = Case.objects.get()
    assert (case.source, case.cause, case.order_id) == ("logistics", "logistics", shipment.order_id)
    evidence = CaseEvent.objects.get(case=case, kind="evidence")
    texts = [c["text"] for c in evidence.data["checkpoints"]]
    assert texts == ["收件地址不详，快件暂存网点", "快件到达【杭州转运中心】"]
    assert ShipmentDelay.objects.get().case_id == case.pk
    assert "遇到了一点状况" in InMemoryBackend.messages[0].body
    _sweep_and_send()
    assert Case.objects.count() == 1


def test_out_for_delivery_and_not_signed_by_the_end_of_the_local_day():
    shipment = ship(_order(), hours_ago=50)
    _scan(shipment, hours_ago=30, state="out_for_delivery", text="派件中")
    assert _sweep_and_send().found == {"not_delivered_today": 1}


def test_a_signed_parcel_is_never_late():
    shipment = ship(_order(), hours_ago=80, promised=timezone.now().date() - timedelta(days=2))
    _scan(shipment, hours_ago=60, state="signed", text="已签收")
    assert _sweep_and_send().found == {}


def test_the_shipping_notice_is_off_by_default_and_sent_once_when_the_store_turns_it_on():
    from logistics.models import LogisticsPolicy

    order = _order()
    ship(order, hours_ago=1)
    assert not ShipmentNotice.objects.exists()
    other = _order()
    LogisticsPolicy.objects.create(store=other.store, shipping_notice=True)
    shipment = ship(other, hours_ago=1)
    ship(other, number=shipment.tracking_number, hours_ago=1)  # reported again: nothing new
    notices_send_due()
    [message] = InMemoryBackend.messages
    assert shipment.tracking_number in message.body and "已发出" in message.body
    assert ShipmentNotice.objects.get().kind == "shipped"


def _status(client, notice, params):
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    path = f"/hooks/notices/{notice.pk}/status"
    signature = RequestValidator("webhook-token").compute_signature(f"https://crm.example.com{path}", params)
    return client.post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded",
        headers={"x-twilio-signature": signature},
    )  # fmt: skip


def test_a_notices_status_callbacks_move_it_forward_only_as_every_sms_queues_do(client, settings):
    # A callback without MessageSid was a 500 (a sent notice must have a provider id), and a late "sent" or
    # "queued" overwrote "delivered": the notice hook had rules of its own, not callbacks' sms_status_apply.
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "webhook-token", "https://crm.example.com"
    shipment = ship(_order(), hours_ago=3)
    notice = ShipmentNotice.objects.create(
        store=shipment.store, shipment=shipment, order=shipment.order, customer=shipment.order.customer,
        kind="shipped", channel="sms", status="sending", due_at=timezone.now(), claimed_at=timezone.now(),
    )  # fmt: skip

    assert _status(client, notice, {"MessageStatus": "sent"}).status_code == 204
    notice.refresh_from_db()
    assert (notice.status, notice.provider_id) == ("sending", "")
    for status in ["delivered", "sent", "queued", "bogus"]:
        assert _status(client, notice, {"MessageSid": "SM1", "MessageStatus": status}).status_code == 204
    notice.refresh_from_db()
    assert (notice.status, notice.provider_id, notice.provider_status) == ("sent", "SM1", "delivered")


def test_planning_notices_again_counts_only_the_new_ones():
    # The planners counted every planned notice they were handed back, those stored already among them.
    from logistics.models import LogisticsPolicy
    from logistics.services.notices import delay_notices_plan, shipping_notices_plan

    order = _order()
    LogisticsPolicy.objects.create(store=order.store, shipping_notice=True)
    shipment = ship(order, hours_ago=80)  # its shipping notice is planned as it is recorded
    now = timezone.now()

    assert shipping_notices_plan(shipment_ids=[(shipment.store_id, shipment.pk)]) == 0
    assert delay_notices_plan(store=shipment.store, rule="no_update", shipments=[shipment], now=now) == 1
    assert delay_notices_plan(store=shipment.store, rule="no_update", shipments=[shipment], now=now) == 0
    assert ShipmentNotice.objects.filter(shipment=shipment).count() == 2


def test_a_parcels_call_task_nobody_made_shows_on_the_board_as_not_called():
    from django.test import Client

    from callbacks.services.missed import GRACE, followups_close_missed
    from tests.factories import AgentFactory

    order = _order("1500.00")
    shipment = ship(order, hours_ago=80)
    _scan(shipment, hours_ago=60)
    _sweep_and_send()
    task = FollowUp.objects.get(order=order, purpose="logistics")
    client = Client()
    client.force_login(AgentFactory(stores=[order.store]).user)

    with time_machine.travel(task.window_end + GRACE + timedelta(minutes=1), tick=False):
        report = followups_close_missed()
        page = client.get("/logistics/").text

    task.refresh_from_db()
    notice = ShipmentNotice.objects.get(channel="call")
    assert (report.missed, report.care_sms) == (1, 0) and (task.status, task.outcome) == ("done", "missed")
    assert (notice.status, notice.outcome) == ("failed", "missed")
    row = page[page.index(f'data-number="{shipment.tracking_number}"') :]
    assert 'data-testid="call-outcome">Not called in its window<' in row[: row.index("</tr>")]
    assert not Case.objects.filter(order=order).exists()  # a call nobody made is no complaint


def test_a_notices_status_callbacks_are_kept_as_they_came_like_the_care_sms(client, settings):
    # The care SMS's callbacks are kept (TelephonyEvent), so a state can be explained; a parcel notice's were applied
    # and dropped: "why does this notice say undelivered?" had no answer.
    from callbacks.models import TelephonyEvent

    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "webhook-token", "https://crm.example.com"
    shipment = ship(_order(), hours_ago=3)
    notice = ShipmentNotice.objects.create(
        store=shipment.store, shipment=shipment, order=shipment.order, customer=shipment.order.customer,
        kind="shipped", channel="sms", status="sending", due_at=timezone.now(), claimed_at=timezone.now(),
    )  # fmt: skip

    for status in ["undelivered", "sent"]:  # out of order: the later report first
        assert _status(client, notice, {"MessageSid": "SM9", "MessageStatus": status}).status_code == 204

    kept = list(TelephonyEvent.objects.order_by("id").values_list("kind", "provider_id", "payload"))
    assert [(kind, sid, payload["MessageStatus"]) for kind, sid, payload in kept] == [
        ("message_status", "SM9", "undelivered"),
        ("message_status", "SM9", "sent"),
    ]
    assert all(payload["_row"] == f"parcel_notices:{notice.pk}" for _kind, _sid, payload in kept)
    notice.refresh_from_db()
    assert (notice.provider_status, notice.outcome) == ("undelivered", "undelivered")


def test_a_notice_reported_refused_as_opted_out_opts_out_the_customer_and_the_number(client, settings):
    # Twilio reported the notice `failed` with 21610 (the number had replied STOP to our sending number): the customer
    # and the number are opted out as Twilio's refusal of it when it was sent would (callbacks' carrier_opt_out); the
    # notice stays `sent`, with the provider's status. A repeat, and a `delivered` after it, change nothing more.
    from callbacks.models import NumberOptOut
    from crm.models import CustomerChange

    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "webhook-token", "https://crm.example.com"
    shipment = ship(_order(), hours_ago=3)
    customer = shipment.order.customer
    notice = ShipmentNotice.objects.create(
        store=shipment.store, shipment=shipment, order=shipment.order, customer=customer, kind="shipped",
        channel="sms", status="sent", provider_id="SM7", due_at=timezone.now(), claimed_at=timezone.now(),
        recipient=customer.phone,
    )  # fmt: skip

    for status, code in [("failed", "21610"), ("delivered", ""), ("failed", "21610")]:
        params = {"MessageSid": "SM7", "MessageStatus": status, **({"ErrorCode": code} if code else {})}
        assert _status(client, notice, params).status_code == 204

    notice.refresh_from_db()
    customer.refresh_from_db()
    assert (notice.status, notice.provider_status, notice.outcome, notice.error_code) == (
        "sent", "failed", "opted_out", "21610",
    )  # fmt: skip
    assert customer.sms_opt_out is True
    assert CustomerChange.objects.filter(customer=customer, field="sms_reply").count() == 1
    number = NumberOptOut.objects.get(store=shipment.store, phone=customer.phone)
    assert (number.opted_out, number.customer_id) == (True, customer.pk)


# Berlin's clock changes: back from 03:00 CEST to 02:00 CET at 01:00 UTC on Sunday 25 October 2026, forward from
# 02:00 CET to 03:00 CEST at 01:00 UTC on Sunday 28 March 2027. A day ends at its local midnight, however long it was;
# hours without news are real hours.
def _berlin_parcel(shipped_at, *, promised=None):
    store = StoreFactory(timezone="Europe/Berlin")
    with time_machine.travel(shipped_at, tick=False):
        return ship(OrderFactory(customer=CustomerFactory(store=store)), hours_ago=0, promised=promised)


def _late(shipment, rule, now):
    return delayed_shipments(store=shipment.store, rule=rule, now=now).filter(pk=shipment.pk).exists()


def test_a_parcel_promised_for_the_day_the_clocks_go_back_is_late_from_its_midnight():
    shipment = _berlin_parcel(datetime(2026, 10, 22, 8, 0, tzinfo=UTC), promised=date(2026, 10, 25))
    assert shipment.promised_by == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 00:00 CET on the 26th
    assert not _late(shipment, DelayRule.PAST_PROMISED, datetime(2026, 10, 25, 22, 59, tzinfo=UTC))
    assert _late(shipment, DelayRule.PAST_PROMISED, datetime(2026, 10, 25, 23, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("out_at", "deliver_by"),
    [
        (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),  # 23:30 CEST
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),  # 00:30 CEST, 25th
        (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), datetime(2027, 3, 28, 22, 0, tzinfo=UTC)),  # 00:30 CET, 28th
    ],
)
def test_out_for_delivery_on_a_clock_change_night_is_late_from_the_end_of_its_local_day(out_at, deliver_by):
    shipment = _berlin_parcel(out_at - timedelta(days=2))
    with time_machine.travel(out_at + timedelta(minutes=1), tick=False):
        tracking_apply(  # a routine push: on PostgreSQL the prepared statement reckons the day's end
            update=TrackingUpdate(
                number=shipment.tracking_number, couriers=(shipment.courier,), state="out_for_delivery",
                checkpoints=[TrackedCheckpoint(at=out_at, text="派件中", location="Berlin")],
            )
        )  # fmt: skip
    shipment.refresh_from_db()
    assert shipment.deliver_by == deliver_by


def test_a_parcel_without_news_over_the_night_the_clocks_go_back_is_stalled_after_48_real_hours():
    shipment = _berlin_parcel(datetime(2026, 10, 23, 8, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 10, 24, 10, 0, tzinfo=UTC), tick=False):
        _scan(shipment, hours_ago=0)  # 12:00 CEST on Saturday
    # 48 hours on is 11:00 CET on Monday, not 12:00
    assert not _late(shipment, DelayRule.NO_UPDATE, datetime(2026, 10, 26, 9, 59, tzinfo=UTC))
    assert _late(shipment, DelayRule.NO_UPDATE, datetime(2026, 10, 26, 10, 1, tzinfo=UTC))
