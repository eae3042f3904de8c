"""Twilio's 21610 (the number replied STOP to our sending number) has one consequence however it reaches us.

Twilio may refuse the message when it is created (recorded by the sweeper, `dispatch.recording`) or accept it and then
report it `failed` (or `undelivered`) with ErrorCode 21610 by its status callback (`inbound`). The refusal opted the
customer out of SMS and kept the number from every store (ADR 0049); the same fact reported by the callback covered
what was merged into the care SMS and left the customer and the number as they were, so the store's next SMS to them
was claimed and refused again. Both now go through one function, idempotent under repeated and out-of-order callbacks,
and a START the number sent after the message was claimed is newer than the carrier's fact: it stands.

Through the wire formats: the twilio client against the local Twilio server, whose signed callbacks reach the live
test server as Twilio posts them; the START is posted to the inbound webhook as Twilio posts it.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import LIVE_STATUSES, FollowUp, NumberOptOut
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.opt_out_history import SMS_REPLY
from crm.models import Customer, CustomerChange
from crm.services.order_delivery import orders_mark_delivered
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory
from tests.system.procs import wait_for

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db(transaction=True)
Status, Channel = FollowUp.Status, FollowUp.Channel
PHONE = "+8613800138000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # inside the SMS hours (09:00-21:00), before the evening
EVENING = (datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI), datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI))


def _reported(twilio, sid: str, status: str, code: str = "") -> None:
    answer, _ = twilio.report_message(sid=sid, status=status, error_code=code)
    assert answer == 204


def _start(twilio, live_server, phone: str = PHONE) -> None:
    status, _ = twilio.receive_sms(url=f"{live_server.url}/twilio/sms/inbound", sender=phone, body="START")
    assert status == 200


def _numbers() -> list[tuple]:
    return list(NumberOptOut.objects.order_by("store_id").values_list("store", "phone", "opted_out", "customer"))


def _history(customer: Customer) -> list[dict]:
    return list(
        CustomerChange.objects.filter(customer=customer, field=SMS_REPLY).order_by("changed_at", "id")
        .values_list("new_value", flat=True)
    )  # fmt: skip


def _sent(twilio) -> FollowUp:
    """A care SMS to a customer at PHONE, accepted by Twilio; its reports come when the test posts them."""
    twilio.configure(callbacks=False)
    (sms,) = plan_due_sms(midday_store(), 1, phone=PHONE)
    sms_dispatch_due(time_budget=5)
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    return sms


@pytest.mark.parametrize("how", ["refused when sent", "reported by the status callback"])
def test_a_21610_opts_out_the_customer_and_the_number_whichever_way_it_arrives(twilio_live, live_server, how):
    silk, jade = midday_store(), midday_store()
    if how == "refused when sent":
        twilio_live.configure(opted_out=[PHONE])
    else:
        twilio_live.configure(undelivered={PHONE: "failed:21610"})  # accepted, then reported `failed`, 21610
    (sms,) = plan_due_sms(silk, 1, phone=PHONE)

    sms_dispatch_due(time_budget=5)
    wait_for(lambda: FollowUp.objects.get(pk=sms.pk).status == Status.FAILED, timeout=10, what="Twilio's answer")

    sms.refresh_from_db()
    customer = sms.customer
    customer.refresh_from_db()
    assert (sms.status, sms.outcome, sms.error_code) == (Status.FAILED, "opted_out", "21610")
    assert customer.sms_opt_out is True
    assert _history(customer) == [{"opted_out": True, "refused": "21610", "number": PHONE}]
    # Twilio's block is for our sending number, which every store sends from (ADR 0049).
    assert _numbers() == [(silk.pk, PHONE, True, customer.pk), (jade.pk, PHONE, True, None)]
    # The store's next SMS to the number is held back at planning, not claimed for Twilio to refuse once more.
    (next_one,) = plan_due_sms(jade, 1, phone=PHONE)
    next_one.refresh_from_db()
    assert (next_one.status, next_one.suppressed_reason) == (Status.SUPPRESSED, "number_opted_out")


def test_repeated_and_late_reports_neither_undo_the_opt_out_nor_override_a_start_sent_after_it(
    twilio_live, live_server
):
    sms = _sent(twilio_live)
    customer = sms.customer

    _reported(twilio_live, sms.provider_id, "failed", "21610")
    customer.refresh_from_db()
    assert customer.sms_opt_out is True
    first = _numbers()
    assert first == [(sms.store_id, PHONE, True, customer.pk)]

    # Repeated, and a `delivered` out of order: the opt-out stays, written once.
    _reported(twilio_live, sms.provider_id, "delivered")
    _reported(twilio_live, sms.provider_id, "failed", "21610")
    customer.refresh_from_db()
    assert customer.sms_opt_out is True and _numbers() == first and len(_history(customer)) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.outcome, sms.provider_status) == (Status.FAILED, "opted_out", "failed")

    # The customer sends START: back in. A late repeat of the old report is older than that START and changes nothing.
    _start(twilio_live, live_server)
    customer.refresh_from_db()
    assert customer.sms_opt_out is False
    _reported(twilio_live, sms.provider_id, "failed", "21610")
    customer.refresh_from_db()
    assert customer.sms_opt_out is False
    assert _numbers() == [(sms.store_id, PHONE, False, customer.pk)]
    assert [change["opted_out"] for change in _history(customer)] == [True, False]


def test_a_21610_first_reported_after_the_number_sent_start_is_older_than_the_start(twilio_live, live_server):
    # The number had blocked our sending number (a STOP nobody heard); the message was accepted and refused on its way.
    # The customer then sent START, and only then did the report reach us (a webhook answered late, a retry): the
    # START is the customer's latest word, the report's fact is older.
    sms = _sent(twilio_live)
    _start(twilio_live, live_server)

    _reported(twilio_live, sms.provider_id, "failed", "21610")

    sms.refresh_from_db()
    customer = Customer.objects.get(pk=sms.customer_id)
    assert (sms.status, sms.outcome, sms.error_code) == (Status.FAILED, "opted_out", "21610")
    assert customer.sms_opt_out is False and _history(customer) == [] and _numbers() == []


def test_a_21610_reported_for_a_care_sms_opts_out_and_covers_what_was_merged_into_it(twilio_live, live_server):
    # A call-tier and an SMS-tier order signed for after the care SMS went are merged into it; the report says the
    # number had opted out. The customer is opted out, the call-tier order is called that evening, the SMS-tier one
    # stays with the refused SMS (the gate refuses SMS now).
    twilio_live.configure(callbacks=False)
    with time_machine.travel(MORNING):
        store = StoreFactory(timezone="Asia/Shanghai")
        agent = AgentFactory(stores=[store])
        customer = CustomerFactory(store=store, phone=PHONE)
        first = OrderFactory(customer=customer, total_amount=Decimal("500.00"))
        orders_mark_delivered(deliveries=[(first, MORNING)])
        sms_dispatch_due(time_budget=5)
        sms = FollowUp.objects.get(order=first)
        assert sms.status == Status.SENT
        later = [OrderFactory(customer=customer, total_amount=Decimal(amount)) for amount in ("1500.00", "400.00")]
        orders_mark_delivered(deliveries=[(order, MORNING) for order in later])
        call, other = (FollowUp.objects.get(order=order) for order in later)

        _reported(twilio_live, sms.provider_id, "failed", "21610")

    for row in (sms, call, other, customer):
        row.refresh_from_db()
    assert customer.sms_opt_out is True and _numbers()[0] == (store.pk, PHONE, True, customer.pk)
    assert (sms.status, sms.outcome, sms.merged_into) == (Status.FAILED, "opted_out", call)
    assert list(customer.followups.filter(status__in=LIVE_STATUSES)) == [call]
    assert (call.channel, (call.window_start, call.window_end), call.assignee) == (Channel.CALL, EVENING, agent)
    assert (other.status, other.merged_into) == (Status.SUPPRESSED, call)
