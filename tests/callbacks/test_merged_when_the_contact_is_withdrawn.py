"""Nothing merged is lost: the contact a customer's other orders of the day were merged into (ADR 0051) is withdrawn
later for a reason of its own. The orders merged into it were covered by nobody: a care call taken back because the
customer asked not to be called left the day's other orders with no contact at all, though the care SMS the customer
still allows went for the call's own order; a care SMS refused at the claim, or withdrawn just before it left, because
the customer opted out of SMS, took with it a call-tier order merged into it that could still be called.

A reason about the whole of the customer's contact (do not contact, no phone) covers the merged orders too; a reason
about one channel does not: they are covered by the contact that replaces the withdrawn one (the care SMS instead), or
else the best of them is planned again as that day's contact, one contact a day still.
"""

from datetime import datetime

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.gate import customers_opt_out_sms
from callbacks.services.outcomes import followup_log_outcome
from crm.services.customers import customer_update_profile
from tests.callbacks.merging import MORNING, SHANGHAI, deliver, during_the_claim, fresh, live
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, StoreFactory

pytestmark = pytest.mark.django_db
Status, Reason, Channel = FollowUp.Status, FollowUp.SuppressedReason, FollowUp.Channel
EVENING = (datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI), datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


# -- a wish that rules calls out ------------------------------------------------------------------------------------


def test_calls_ruled_out_the_orders_merged_into_the_call_are_covered_by_the_care_sms_instead(store, agent):
    customer = CustomerFactory(store=store)
    call, merged = deliver(customer, "1500.00", "1200.00")
    assert (merged.status, merged.merged_into) == (Status.SUPPRESSED, call)

    customer_update_profile(customer=customer, actor=agent.user, changes={"contact_preference": "sms_only"})

    call, merged = fresh(call, merged)
    (sms,) = live(customer)
    assert (call.status, call.suppressed_reason) == (Status.SUPPRESSED, Reason.NO_CALLS)
    assert (sms.channel, sms.order) == (Channel.SMS, call.order)  # the call's order, as before
    # The other order is covered by the contact that goes: one contact that day, no order left with none.
    assert (merged.status, merged.suppressed_reason, merged.merged_into) == (Status.SUPPRESSED, Reason.MERGED, sms)


def test_what_was_merged_into_a_call_a_dedicated_one_replaced_goes_to_the_care_sms_instead_too(store, agent):
    # A call-tier order, an SMS-tier one merged into its call, then a dedicated-tier one that replaces that call.
    customer = CustomerFactory(store=store)
    (first,) = deliver(customer, "1500.00")
    (third,) = deliver(customer, "500.00")
    (second,) = deliver(customer, "2500.00")
    assert [row.merged_into for row in fresh(first, third)] == [second, second]

    customer_update_profile(customer=customer, actor=agent.user, changes={"contact_preference": "sms_only"})

    (sms,) = live(customer)
    assert [row.merged_into for row in fresh(first, third)] == [sms, sms]


def test_a_wish_about_every_contact_covers_the_merged_orders_too(store, agent):
    customer = CustomerFactory(store=store)
    call, merged = deliver(customer, "1500.00", "500.00")

    customer_update_profile(customer=customer, actor=agent.user, changes={"contact_preference": "do_not_contact"})

    call, merged = fresh(call, merged)
    assert live(customer) == []
    assert (call.status, call.suppressed_reason) == (Status.SUPPRESSED, Reason.DO_NOT_CONTACT)
    assert (merged.status, merged.suppressed_reason, merged.merged_into) == (Status.SUPPRESSED, Reason.MERGED, call)


def test_no_calls_and_no_sms_leaves_the_merged_orders_with_the_call(store, agent):
    customer = CustomerFactory(store=store, sms_opt_out=True)
    call, merged = deliver(customer, "1500.00", "1200.00")

    customer_update_profile(customer=customer, actor=agent.user, changes={"contact_preference": "no_calls"})

    call, merged = fresh(call, merged)
    assert live(customer) == []
    assert (merged.suppressed_reason, merged.merged_into) == (Reason.MERGED, call)


def test_a_retry_ruled_out_by_a_wish_made_during_the_call_hands_its_merged_orders_to_the_care_sms(store, agent):
    customer = CustomerFactory(store=store)
    call, merged = deliver(customer, "1500.00", "1200.00")
    with time_machine.travel(EVENING[0], tick=False):
        FollowUp.objects.filter(pk=call.pk).update(status=Status.IN_PROGRESS, assignee=agent)
        customer_update_profile(customer=customer, actor=agent.user, changes={"contact_preference": "sms_only"})
        followup_log_outcome(followup=call, agent=agent, outcome="no_answer", expected_seq=1)

    call, merged = fresh(call, merged)
    (sms,) = live(customer)
    assert (call.status, call.suppressed_reason, sms.order) == (Status.SUPPRESSED, Reason.NO_CALLS, call.order)
    assert merged.merged_into == sms


# -- an SMS opt-out: the claim, and the last look before the request --------------------------------------------------


def _sms_only_then_calls_and_stop(customer, agent) -> None:
    """The customer, texted only so far, asks for calls again and replies STOP to the store's SMS."""
    customer_update_profile(customer=customer, actor=agent.user, changes={"contact_preference": "any"})
    customers_opt_out_sms(customer_ids=[customer.pk])


def test_an_sms_refused_at_the_claim_for_an_opt_out_gives_the_day_to_the_call_merged_into_it(store, agent):
    # Two call-tier orders of a customer who wanted SMS only: one care SMS for both. Calls allowed again and SMS opted
    # out, the SMS is refused when it is claimed; the other order can still be called that evening.
    customer = CustomerFactory(store=store, contact_preference="sms_only")
    lower, higher = deliver(customer, "1200.00", "1500.00")
    assert (higher.channel, lower.merged_into) == (Channel.SMS, higher)
    _sms_only_then_calls_and_stop(customer, agent)

    sms_dispatch_due(time_budget=5)

    lower, higher = fresh(lower, higher)
    assert (higher.status, higher.suppressed_reason) == (Status.SUPPRESSED, Reason.SMS_OPT_OUT)
    assert live(customer) == [lower]
    assert (lower.status, lower.suppressed_reason, lower.merged_into, lower.channel) == (
        Status.PLANNED, "", None, Channel.CALL,
    )  # fmt: skip
    assert ((lower.window_start, lower.window_end), lower.assignee) == (EVENING, agent)
    # The withdrawn SMS's order is talked about on that call (the panel lists what was merged into it).
    assert higher.merged_into == lower


def test_an_sms_opt_out_refusing_every_merged_order_leaves_them_with_the_sms(store, agent):
    customer = CustomerFactory(store=store)
    sms, merged = deliver(customer, "500.00", "400.00")
    customers_opt_out_sms(customer_ids=[customer.pk])

    sms_dispatch_due(time_budget=5)

    sms, merged = fresh(sms, merged)
    assert (sms.suppressed_reason, merged.merged_into, live(customer)) == (Reason.SMS_OPT_OUT, sms, [])


def test_a_claimed_sms_withdrawn_for_an_opt_out_before_it_leaves_gives_the_day_to_the_call_merged_into_it(
    store, agent, monkeypatch
):
    # The care SMS is claimed (under way); a call-tier order signed for meanwhile is merged into it, as into any
    # contact under way; the customer replies STOP before the SMS's request leaves, and it is withdrawn.
    customer = CustomerFactory(store=store)
    (sms,) = deliver(customer, "500.00")
    later = []

    def a_delivery_and_a_stop():
        later.extend(deliver(customer, "1500.00"))
        customers_opt_out_sms(customer_ids=[customer.pk])

    during_the_claim(monkeypatch, a_delivery_and_a_stop)

    sms_dispatch_due(time_budget=5)

    sms, call = fresh(sms, *later)
    assert (sms.status, sms.suppressed_reason) == (Status.SUPPRESSED, Reason.SMS_OPT_OUT)
    assert live(customer) == [call]
    assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end), call.assignee) == (
        Status.PLANNED, Channel.CALL, None, EVENING, agent,
    )  # fmt: skip
    assert sms.merged_into == call


# -- a call closed without reaching the customer: the care SMS instead ------------------------------------------------


def test_the_care_sms_instead_of_a_missed_call_covers_the_orders_merged_into_the_call(store, agent):
    # Nobody made the evening's call: it is closed `missed`, and the care SMS goes instead. It went for the call's own
    # order only; the order merged into the call pointed at a closed call, covered by no contact.
    from callbacks.services.missed import followups_close_missed

    customer = CustomerFactory(store=store)
    call, merged = deliver(customer, "1500.00", "500.00")
    assert merged.merged_into == call

    with time_machine.travel(EVENING[1].replace(minute=10), tick=False):
        followups_close_missed()

    call, merged = fresh(call, merged)
    (sms,) = live(customer)
    assert (call.status, call.outcome, sms.order, sms.status) == (Status.DONE, "missed", call.order, Status.PLANNED)
    assert (merged.status, merged.suppressed_reason, merged.merged_into) == (Status.SUPPRESSED, Reason.MERGED, sms)


def test_the_care_sms_instead_of_an_unanswered_last_try_covers_the_orders_merged_into_the_call(store, agent):
    customer = CustomerFactory(store=store)
    call, merged = deliver(customer, "1500.00", "1200.00")
    with time_machine.travel(EVENING[1].replace(hour=18, minute=50), tick=False):  # no room left for a retry
        FollowUp.objects.filter(pk=call.pk).update(status=Status.IN_PROGRESS, assignee=agent)
        followup_log_outcome(followup=call, agent=agent, outcome="no_answer", expected_seq=1)

    call, merged = fresh(call, merged)
    (sms,) = live(customer)
    assert (call.status, call.outcome, sms.order) == (Status.DONE, "no_answer", call.order)
    assert merged.merged_into == sms


def test_the_orders_merged_into_a_missed_call_follow_its_care_sms_into_the_days_contact(store, agent):
    # The missed call's care SMS goes out the next morning, when another order's care SMS goes: it joins that one, and
    # so do the orders merged into the call, each pointing at the contact that covers it.
    from callbacks.services.missed import followups_close_missed

    customer = CustomerFactory(store=store)
    call, merged = deliver(customer, "1500.00", "500.00")
    FollowUp.objects.filter(pk=call.pk).update(
        window_start=datetime(2026, 11, 23, 20, 30, tzinfo=SHANGHAI), window_end=datetime(2026, 11, 23, 21, 30,
                                                                                           tzinfo=SHANGHAI)
    )  # fmt: skip
    nine = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
    morning = FollowUpFactory(order__customer=customer, channel=Channel.SMS, window_start=nine,
                              window_end=nine.replace(hour=21))  # another delivery day's, texted at 09:00  # fmt: skip

    with time_machine.travel(datetime(2026, 11, 23, 21, 40, tzinfo=SHANGHAI), tick=False):
        followups_close_missed()

    sms = customer.followups.get(order=call.order, channel=Channel.SMS)
    merged, morning = fresh(merged, morning)
    assert live(customer) == [morning]
    assert (sms.merged_into, merged.merged_into) == (morning, morning)


# -- a care SMS the carrier refuses as opted out (21610) ------------------------------------------------------------


def _carrier_refuses_as_opted_out(monkeypatch, phone: str) -> None:
    from callbacks.telephony.base import MessageRejected
    from callbacks.telephony.memory import InMemoryBackend

    send = InMemoryBackend.send_sms

    def refuse(self, *, to, body, status_callback):
        if to == phone:
            raise MessageRejected("Attempt to send to unsubscribed recipient", code=MessageRejected.UNSUBSCRIBED)
        return send(self, to=to, body=body, status_callback=status_callback)

    monkeypatch.setattr(InMemoryBackend, "send_sms", refuse)


def test_a_care_sms_the_carrier_refuses_as_opted_out_gives_the_day_to_the_call_merged_into_it(
    store, agent, monkeypatch
):
    # The care SMS is claimed; a call-tier order signed for meanwhile is merged into it (a contact under way); the
    # carrier refuses the SMS: the number sent STOP to it. The SMS failed and the customer is opted out of SMS, but
    # not of calls: the other order is called that evening, not left merged into a message that never went.
    customer = CustomerFactory(store=store)
    (sms,) = deliver(customer, "500.00")
    _carrier_refuses_as_opted_out(monkeypatch, customer.phone)
    later = []
    during_the_claim(monkeypatch, lambda: later.extend(deliver(customer, "1500.00")))

    sms_dispatch_due(time_budget=5)

    sms, call = fresh(sms, *later)
    customer.refresh_from_db()
    assert customer.sms_opt_out
    assert (sms.status, sms.outcome, sms.error_code) == (Status.FAILED, "opted_out", "21610")
    assert live(customer) == [call]
    assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end), call.assignee) == (
        Status.PLANNED, Channel.CALL, None, EVENING, agent,
    )  # fmt: skip
    assert sms.merged_into == call  # its order is talked about on that call


def test_the_sms_orders_merged_into_a_care_sms_the_carrier_refuses_as_opted_out_stay_with_it(store, monkeypatch):
    customer = CustomerFactory(store=store)
    sms, merged = deliver(customer, "500.00", "400.00")
    _carrier_refuses_as_opted_out(monkeypatch, customer.phone)

    sms_dispatch_due(time_budget=5)

    sms, merged = fresh(sms, merged)
    assert (sms.status, sms.outcome, merged.merged_into, live(customer)) == (Status.FAILED, "opted_out", sms, [])
