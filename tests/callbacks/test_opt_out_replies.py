"""A customer's opt-out reply, end to end: the local Twilio server posts the customer's SMS (signed, as Twilio does) to
the live test server, and the sweeper then sends through the real twilio client to that server, whose record of
what it accepted is the judge. An opt-out holds back every message already queued for the customer: the care SMS,
a campaign's message and a parcel notice."""

from decimal import Decimal

import pytest
from django.utils import timezone

from callbacks.models import FollowUp, TelephonyEvent
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.policy import policy_update
from crm.models import Case
from crm.services.order_delivery import orders_mark_delivered
from logistics.models import LogisticsPolicy, ShipmentNotice
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from tests.factories import OrderFactory
from tests.logistics.conftest import ship
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import campaign_for, everyone, open_store

from .conftest import midday_store, plan_due_sms

pytestmark = pytest.mark.django_db(transaction=True)


def reply(twilio, live_server, sender: str, body: str, *, sid: str = "") -> None:
    status, _ = twilio.receive_sms(url=f"{live_server.url}/twilio/sms/inbound", sender=sender, body=body, sid=sid)
    assert status == 200


@pytest.mark.parametrize("word", ["TD", "td", "ＴＤ", "ｓｔｏｐ", "退订！"])
def test_an_opt_out_reply_in_any_usual_form_holds_back_the_queued_care_sms(twilio_live, live_server, word):
    (followup,) = plan_due_sms(midday_store(), 1)
    reply(twilio_live, live_server, followup.customer.phone, word)

    sms_dispatch_due(time_budget=5)

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert twilio_live.messages == []


# Twilio's own opt-out keywords (help.twilio.com, "Twilio support for opt-out keywords (SMS STOP filtering)"; OPTOUT and
# REVOKE in its current Advanced Opt-Out docs): Twilio blocks the number on them before it posts the reply on, and the
# local Twilio server does as Twilio does.
@pytest.mark.parametrize("word", ["CANCEL", "end", " Quit ", "StopAll", "optout", "REVOKE"])
def test_a_twilio_keyword_opts_out_before_twilio_has_to_refuse_the_queued_care_sms(twilio_live, live_server, word):
    (followup,) = plan_due_sms(midday_store(), 1)
    # The order was delivered just now: were the word read as any other text, it would open a case about it.
    reply(twilio_live, live_server, followup.customer.phone, word)

    sms_dispatch_due(time_budget=5)

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")
    # Nothing was asked of Twilio, so nothing was refused there (21610) one message after another.
    assert [r for r in twilio_live.requests if r["method"] == "POST"] == []
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "body", ["The end of the scarf is frayed", "Please cancel my order, the box was crushed", "end of story?"]
)
def test_a_sentence_that_contains_a_twilio_keyword_is_a_complaint_not_an_opt_out(twilio_live, live_server, body):
    order = OrderFactory(customer__store=midday_store(), status="delivered", delivered_at=timezone.now())
    reply(twilio_live, live_server, order.customer.phone, body)

    order.customer.refresh_from_db()
    assert order.customer.sms_opt_out is False
    assert Case.objects.get().customer == order.customer


@pytest.mark.parametrize("body", ["请退订", "退订谢谢", "我要退订，谢谢。", "别再发了", "不要再发短信给我", "取消订阅"])
def test_a_reply_asking_in_a_sentence_for_no_more_messages_opts_out_and_opens_no_case(twilio_live, live_server, body):
    (followup,) = plan_due_sms(midday_store(), 1)
    # The order was delivered just now: any other reply would open a case about it.
    reply(twilio_live, live_server, followup.customer.phone, body)

    sms_dispatch_due(time_budget=5)

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert twilio_live.messages == [] and not Case.objects.exists()


@pytest.mark.parametrize("body", ["不退订，就是围巾有色差", "不用退订，包装破了"])
def test_a_complaint_that_declines_to_opt_out_opens_a_case_and_keeps_the_customer_reachable(
    twilio_live, live_server, body
):
    order = OrderFactory(customer__store=midday_store(), status="delivered", delivered_at=timezone.now())
    reply(twilio_live, live_server, order.customer.phone, body)
    order.customer.refresh_from_db()
    assert order.customer.sms_opt_out is False and Case.objects.get().customer == order.customer


def _everything_queued_for(customer) -> tuple[FollowUp, CampaignContact, ShipmentNotice]:
    """A care SMS, a campaign's message and a parcel notice, all due now for `customer`."""
    store = customer.store
    LogisticsPolicy.objects.create(store=store, shipping_notice=True)
    order = OrderFactory(customer=customer, total_amount=Decimal("500.00"))
    orders_mark_delivered(deliveries=[(order, timezone.now())])
    notice = ShipmentNotice.objects.get(shipment=ship(OrderFactory(customer=customer)))
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    return order.followups.get(), CampaignContact.objects.get(campaign=campaign), notice


@pytest.mark.parametrize(
    "sender",
    ["+8613800138000", "008613800138000", "+86 138 0013 8000", "0086-138-0013-8000", "＋８６１３８００１３８０００"],
)
def test_an_opt_out_from_the_number_in_any_format_holds_back_every_queued_message(twilio_live, live_server, sender):
    customer = customer_with_orders(open_store(), [30], phone="+8613800138000")
    care, campaign_sms, parcel_notice = _everything_queued_for(customer)
    assert (care.status, campaign_sms.status, parcel_notice.status) == ("planned", "planned", "planned")

    reply(twilio_live, live_server, sender, "退订")
    sms_dispatch_due(time_budget=5)

    for row in (care, campaign_sms, parcel_notice):
        row.refresh_from_db()
    assert (care.status, care.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert (campaign_sms.status, campaign_sms.excluded_reason) == ("suppressed", "sms_opt_out")
    assert (parcel_notice.status, parcel_notice.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert twilio_live.messages == []


def test_a_reply_delivered_again_changes_nothing_so_only_the_customer_opts_back_in(twilio_live, live_server):
    (followup,) = plan_due_sms(midday_store(), 1)
    customer, phone = followup.customer, followup.customer.phone
    reply(twilio_live, live_server, phone, "STOP", sid="SMstop1")
    reply(twilio_live, live_server, phone, "START", sid="SMstart")
    reply(twilio_live, live_server, phone, "退订", sid="SMstop2")
    customer.refresh_from_db()
    assert customer.sms_opt_out is True
    opted_out_at = customer.updated_at

    # Twilio delivers a webhook again when it missed our answer, in any order: the START must not opt the
    # customer back in, nor the STOPs write anything more. Each delivery is still kept as it came.
    for sid, body in [("SMstart", "START"), ("SMstop1", "STOP"), ("SMstop2", "退订"), ("SMstart", "START")]:
        reply(twilio_live, live_server, phone, body, sid=sid)
    sms_dispatch_due(time_budget=5)

    customer.refresh_from_db()
    followup.refresh_from_db()
    assert (customer.sms_opt_out, customer.updated_at) == (True, opted_out_at)
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert twilio_live.messages == []
    assert TelephonyEvent.objects.filter(kind="inbound_sms").count() == 7


def test_a_second_opt_out_of_an_opted_out_customer_writes_nothing(twilio_live, live_server):
    (followup,) = plan_due_sms(midday_store(), 1)
    customer = followup.customer
    reply(twilio_live, live_server, customer.phone, "STOP")
    customer.refresh_from_db()
    opted_out_at = customer.updated_at
    reply(twilio_live, live_server, customer.phone, "TD")
    customer.refresh_from_db()
    assert (customer.sms_opt_out, customer.updated_at) == (True, opted_out_at)


def test_a_complaint_delivered_again_is_one_event_on_its_case(twilio_live, live_server):
    order = OrderFactory(customer__store=midday_store(), status="delivered", delivered_at=timezone.now())
    for _ in range(2):
        reply(twilio_live, live_server, order.customer.phone, "围巾有色差", sid="SMcomplaint")
    case = Case.objects.get()
    assert case.events.count() == 1


def test_the_word_the_stores_own_wording_names_opts_out(twilio_live, live_server):
    store = midday_store()
    policy_update(store=store, actor=None, changes={"sms_opt_out_zh": "拒收请回复N"})
    (followup,) = plan_due_sms(store, 1)
    # The customer does what the store's messages tell them: they reply N.
    reply(twilio_live, live_server, followup.customer.phone, "n")

    sms_dispatch_due(time_budget=5)

    followup.refresh_from_db()
    assert (followup.status, followup.suppressed_reason) == ("suppressed", "sms_opt_out")
    assert twilio_live.messages == [] and not Case.objects.exists()
