"""Nothing merged is lost, when the care SMS others were merged into fails for another reason than an opt-out (ADR
0051): the carrier reports it undelivered after Twilio accepted it (30003 unreachable, 30005 unknown handset, 30006 a
landline), Twilio reports it `failed`, or Twilio refuses it at once (21211: not a valid number). It kept what was
merged into it, covered by no contact that reached the customer: a call-tier order signed for while it was under way
was never called.

By the rule of a care SMS the carrier refuses as opted out (21610): the failed SMS is the day's contact no more, a
call-tier order merged into it is called that evening; an SMS-tier one is not texted again, as a second SMS to that
number would fail the same way: it stays with the failed SMS, whose outcome and error code say why.

Through the wire formats: the twilio client against the local Twilio server, whose signed status callbacks reach the
live test server as Twilio posts them, repeated and out of order.
"""

from datetime import datetime

import pytest
import time_machine

from callbacks.models import FollowUp, TelephonyEvent
from callbacks.services.dispatch import sms_dispatch_due
from tests.callbacks.merging import MORNING, SHANGHAI, deliver, during_the_claim, fresh, live
from tests.factories import AgentFactory, CustomerFactory, StoreFactory
from tests.system.procs import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
Status, Reason, Channel = FollowUp.Status, FollowUp.SuppressedReason, FollowUp.Channel
EVENING = (datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI), datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI))


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(MORNING):  # ticking: the live server and the callbacks run in threads of their own
        yield


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


def _state(customer) -> list[tuple]:
    return list(
        customer.followups.order_by("pk").values_list(
            "pk", "status", "channel", "merged_into_id", "window_start", "assignee_id", "outcome", "error_code"
        )
    )


def _reported(twilio, sid: str, status: str, code: str = "") -> None:
    answer, _ = twilio.report_message(sid=sid, status=status, error_code=code)
    assert answer == 204


@pytest.mark.parametrize(("status", "code"), [("undelivered", "30003"), ("undelivered", "30006"), ("failed", "30008")])
def test_a_care_sms_reported_undelivered_gives_the_day_to_the_call_merged_into_it(
    twilio_live, store, agent, status, code
):
    # The care SMS is sent; a call-tier and an SMS-tier order signed for after are merged into it (a contact made);
    # then the carrier's report comes: it never reached the phone. The call-tier order is called that evening, and the
    # panel of that call lists the SMS's order and the other one; no second SMS goes to the number.
    twilio_live.configure(callbacks=False)  # the reports come when the test posts them
    customer = CustomerFactory(store=store)
    (sms,) = deliver(customer, "500.00")
    sms_dispatch_due(time_budget=5)
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    call, other = deliver(customer, "1500.00", "400.00")
    assert (call.merged_into, other.merged_into) == (sms, sms)

    if status == "undelivered":
        _reported(twilio_live, sms.provider_id, "sent")
    _reported(twilio_live, sms.provider_id, status, code)

    sms, call, other = fresh(sms, call, other)
    assert (sms.status, sms.outcome, sms.provider_status, sms.error_code) == (
        Status.FAILED, "undelivered", status, code,
    )  # fmt: skip
    assert live(customer) == [call]
    assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end), call.assignee) == (
        Status.PLANNED, Channel.CALL, None, EVENING, agent,
    )  # fmt: skip
    assert (sms.merged_into, other.merged_into, other.status) == (call, call, Status.SUPPRESSED)

    # Twilio repeats its reports, and they arrive out of order: nothing is planned again, nothing moves back.
    before = _state(customer)
    _reported(twilio_live, sms.provider_id, status, code)
    _reported(twilio_live, sms.provider_id, "delivered")
    _reported(twilio_live, sms.provider_id, "sent")
    _reported(twilio_live, sms.provider_id, status, code)
    sms_dispatch_due(time_budget=5)
    assert _state(customer) == before
    assert len(twilio_live.messages) == 1
    assert TelephonyEvent.objects.filter(provider_id=sms.provider_id).count() == (6 if status == "undelivered" else 5)


def test_the_sms_orders_merged_into_a_care_sms_reported_undelivered_stay_with_it_and_are_not_texted_again(
    twilio_live, store, agent
):
    # Two SMS-tier orders of one day, one care SMS; the carrier reports it undelivered. A second care SMS to the number
    # would fail as the first did: the other order stays with it.
    customer = CustomerFactory(store=store)
    twilio_live.configure(undelivered={customer.phone: "30005"})
    sms, merged = deliver(customer, "500.00", "400.00")
    assert merged.merged_into == sms

    sms_dispatch_due(time_budget=5)
    wait_for(lambda: FollowUp.objects.get(pk=sms.pk).status == Status.FAILED, timeout=10, what="the carrier's report")

    sms, merged = fresh(sms, merged)
    assert (sms.outcome, sms.provider_status, sms.error_code) == ("undelivered", "undelivered", "30005")
    assert (merged.status, merged.suppressed_reason, merged.merged_into, live(customer)) == (
        Status.SUPPRESSED, Reason.MERGED, sms, [],
    )  # fmt: skip
    sms_dispatch_due(time_budget=5)
    assert len(twilio_live.messages) == 1


def test_a_care_sms_twilio_refuses_as_no_valid_number_gives_the_day_to_the_call_merged_into_it(
    twilio_live, store, agent, monkeypatch
):
    # The care SMS is claimed; a call-tier order signed for meanwhile is merged into it (a contact under way); Twilio
    # refuses the SMS: the number is no valid one (21211). The customer can still be called about the other order.
    customer = CustomerFactory(store=store)
    twilio_live.configure(rejected={customer.phone: "21211"})
    (sms,) = deliver(customer, "500.00")
    later = []
    during_the_claim(monkeypatch, lambda: later.extend(deliver(customer, "1500.00")))

    sms_dispatch_due(time_budget=5)

    sms, call = fresh(sms, *later)
    customer.refresh_from_db()
    assert not customer.sms_opt_out  # not the customer's word: the number could not be texted
    assert (sms.status, sms.outcome, sms.error_code) == (Status.FAILED, "rejected", "21211")
    assert live(customer) == [call]
    assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end), call.assignee) == (
        Status.PLANNED, Channel.CALL, None, EVENING, agent,
    )  # fmt: skip
    assert sms.merged_into == call
    assert twilio_live.messages == []


def test_a_call_tier_order_signed_for_after_the_care_sms_was_reported_undelivered_is_called(twilio_live, store, agent):
    # The carrier's report comes seconds after the send, long before the customer's next parcel is signed for: that
    # delivery met a failed care SMS as the day's contact and was merged into it, never called. An SMS-tier one
    # signed for then stays with the failed SMS: no second SMS to the number.
    customer = CustomerFactory(store=store)
    twilio_live.configure(undelivered={customer.phone: "30003"})
    (sms,) = deliver(customer, "500.00")
    sms_dispatch_due(time_budget=5)
    wait_for(lambda: FollowUp.objects.get(pk=sms.pk).status == Status.FAILED, timeout=10, what="the carrier's report")

    call, other = deliver(customer, "1500.00", "400.00")

    sms, call, other = fresh(sms, call, other)
    assert live(customer) == [call]
    assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end), call.assignee) == (
        Status.PLANNED, Channel.CALL, None, EVENING, agent,
    )  # fmt: skip
    assert (sms.merged_into, other.merged_into) == (call, call)
    sms_dispatch_due(time_budget=5)
    assert len(twilio_live.messages) == 1


def test_an_sms_order_signed_for_after_the_care_sms_was_reported_undelivered_is_not_texted_again(
    twilio_live, store, agent
):
    customer = CustomerFactory(store=store)
    twilio_live.configure(undelivered={customer.phone: "30006"})
    (sms,) = deliver(customer, "500.00")
    sms_dispatch_due(time_budget=5)
    wait_for(lambda: FollowUp.objects.get(pk=sms.pk).status == Status.FAILED, timeout=10, what="the carrier's report")

    (other,) = deliver(customer, "400.00")

    sms_dispatch_due(time_budget=5)
    sms, other = fresh(sms, other)
    assert (other.status, other.merged_into, live(customer)) == (Status.SUPPRESSED, sms, [])
    assert len(twilio_live.messages) == 1


def test_an_sms_order_merged_into_a_care_sms_undelivered_at_a_number_the_customer_no_longer_has_is_texted(
    twilio_live, store, agent
):
    # The order system brought the customer a new phone after the care SMS went to the old one: the failure says
    # nothing about the new number, so the other order is texted there (the gate allows it).
    twilio_live.configure(callbacks=False)
    customer = CustomerFactory(store=store)
    sms, merged = deliver(customer, "500.00", "400.00")
    sms_dispatch_due(time_budget=5)
    sms.refresh_from_db()
    customer.phone = "+8613700000099"
    customer.save(update_fields=["phone"])

    _reported(twilio_live, sms.provider_id, "undelivered", "30005")

    sms, merged = fresh(sms, merged)
    assert (sms.status, sms.merged_into) == (Status.FAILED, merged)
    assert live(customer) == [merged] and merged.channel == Channel.SMS
    sms_dispatch_due(time_budget=5)
    assert [m["to"] for m in twilio_live.messages] == [sms.recipient, "+8613700000099"]


def _stuck_for_good(sms: FollowUp) -> None:
    """The care SMS was claimed for the last of its attempts (SMS_MAX_ATTEMPTS), each one's answer lost and the message
    never found at the provider: the reconciler's next look gives up on it (`gave_up`), provably never sent."""
    from datetime import timedelta

    from django.utils import timezone

    from callbacks.services.dispatch.reconciling import SMS_MAX_ATTEMPTS

    FollowUp.objects.filter(pk=sms.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=10), attempts=SMS_MAX_ATTEMPTS,
        recipient=sms.customer.phone, message_body="亲，您的包裹已签收，有任何问题请先告诉我们。",
    )  # fmt: skip


def test_a_care_sms_the_sweeper_gave_up_on_gives_the_day_to_the_call_merged_into_it(twilio_backend, store, agent):
    # A call-tier and an SMS-tier order signed for while the care SMS was under way were merged into it; the sweeper
    # then gave up on it (never found at the provider after its attempts): nobody reached the customer about any of
    # them. The call-tier order is called that evening, the others pointing at the call.
    from callbacks.services.dispatch import sms_reconcile_stuck

    customer = CustomerFactory(store=store)
    (sms,) = deliver(customer, "500.00")
    _stuck_for_good(sms)
    call, other = deliver(customer, "1500.00", "400.00")
    assert (call.merged_into, other.merged_into) == (sms, sms)

    sms_reconcile_stuck(time_budget=5)

    sms, call, other = fresh(sms, call, other)
    assert (sms.status, sms.outcome) == (Status.FAILED, "gave_up")
    assert live(customer) == [call]
    assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end), call.assignee) == (
        Status.PLANNED, Channel.CALL, None, EVENING, agent,
    )  # fmt: skip
    assert (sms.merged_into, other.merged_into) == (call, call)
    assert twilio_backend.messages == []


def test_an_sms_order_merged_into_a_care_sms_the_sweeper_gave_up_on_is_texted_once(twilio_backend, store, agent):
    # Giving up says nothing about the number (the provider's answers were lost; the message never went): the other
    # order of the day is texted, once, as the day's care contact.
    from callbacks.services.dispatch import sms_reconcile_stuck

    customer = CustomerFactory(store=store)
    sms, merged = deliver(customer, "500.00", "400.00")
    _stuck_for_good(sms)

    sms_reconcile_stuck(time_budget=5)
    sms, merged = fresh(sms, merged)
    assert (sms.status, sms.outcome, sms.merged_into) == (Status.FAILED, "gave_up", merged)
    assert live(customer) == [merged] and merged.channel == Channel.SMS

    sms_dispatch_due(time_budget=5)
    sms_dispatch_due(time_budget=5)
    assert [m["to"] for m in twilio_backend.messages] == [customer.phone]
