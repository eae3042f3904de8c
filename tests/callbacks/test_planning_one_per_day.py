"""One care contact per customer per store day on which it is made: deliveries at 23:59 and 00:00 store time fall on
two delivery days but would be called in the same evening (texted in the same sending hours), so they are one contact.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.planning import followups_plan
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

from .conftest import deliver, local

pytestmark = pytest.mark.django_db
Channel, Status, Reason = FollowUp.Channel, FollowUp.Status, FollowUp.SuppressedReason

NIGHTS = [
    pytest.param("Asia/Shanghai", (2026, 11, 23), id="shanghai"),
    pytest.param("Europe/Berlin", (2026, 10, 24), id="berlin-clocks-go-back"),  # CEST to CET at 03:00 on the 25th
    pytest.param("Europe/Berlin", (2027, 3, 27), id="berlin-clocks-go-forward"),  # CET to CEST at 02:00 on the 28th
]
TIERS = [
    pytest.param("500.00", Channel.SMS, (9, 0), id="care-sms"),
    pytest.param("1500.00", Channel.CALL, (18, 0), id="call"),
    pytest.param("2500.00", Channel.DEDICATED, (18, 0), id="dedicated"),
]


def _store(zone):
    store = StoreFactory(timezone=zone)
    AgentFactory(stores=[store])
    return store


def _midnight(store, night):
    """23:59 on the night's day and 00:00 on the next, in the store's zone."""
    before = local(store, *night, 23, 59)
    after = local(store, *(before + timedelta(days=1)).timetuple()[:3], 0, 0)
    return before, after


def _live(customer):
    return list(customer.followups.exclude(status=Status.SUPPRESSED))


@pytest.mark.parametrize(("zone", "night"), NIGHTS)
@pytest.mark.parametrize(("amount", "channel", "at"), TIERS)
def test_deliveries_at_2359_and_0000_are_one_contact_on_the_day_they_share(zone, night, amount, channel, at):
    store = _store(zone)
    customer = CustomerFactory(store=store)
    one, two = (OrderFactory(customer=customer, total_amount=Decimal(amount)) for _ in range(2))
    before, after = _midnight(store, night)

    first = deliver(one, before)
    second = deliver(two, after)

    next_day = after.timetuple()[:3]
    assert _live(customer) == [first]
    assert (first.channel, first.window_start) == (channel, local(store, *next_day, *at))
    assert (second.status, second.suppressed_reason, second.merged_into) == (Status.SUPPRESSED, Reason.MERGED, first)
    assert (first.contact_day, second.contact_day) == (before.date(), after.date())  # each delivery's own day


@pytest.mark.parametrize(("zone", "night"), NIGHTS)
def test_a_delivery_reported_after_the_next_ones_joins_it_and_repeats_plan_nothing(zone, night):
    store = _store(zone)
    customer = CustomerFactory(store=store)
    one, two = (OrderFactory(customer=customer, total_amount=Decimal("1500.00")) for _ in range(2))
    before, after = _midnight(store, night)

    second = deliver(two, after)
    first = deliver(one, before, reported=after + timedelta(minutes=1))  # out of order
    for order, at in ((two, after), (one, before)):  # each event again, and both in one batch
        deliver(order, at, reported=after + timedelta(minutes=2))
    with time_machine.travel(after + timedelta(minutes=3), tick=False):
        followups_plan(deliveries=[(one, before), (two, after)])

    assert customer.followups.count() == 2
    assert _live(customer) == [second]
    assert (first.status, first.suppressed_reason, first.merged_into) == (Status.SUPPRESSED, Reason.MERGED, second)


@pytest.mark.parametrize(("zone", "night"), NIGHTS)
def test_one_batch_with_both_deliveries_plans_one_call(zone, night):
    store = _store(zone)
    customer = CustomerFactory(store=store)
    one, two = (OrderFactory(customer=customer, total_amount=Decimal("1500.00")) for _ in range(2))
    before, after = _midnight(store, night)

    with time_machine.travel(after + timedelta(minutes=5), tick=False):
        rows = list(followups_plan(deliveries=[(one, before), (two, after)]))

    (live,) = _live(customer)
    assert len(rows) == 2 and {r.merged_into_id for r in rows if r != live} == {live.pk}


def test_a_dedicated_delivery_after_midnight_takes_the_place_of_the_call_planned_before_it():
    store = _store("Asia/Shanghai")
    owner = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store, dedicated_owner=owner)
    before, after = _midnight(store, (2026, 11, 23))

    call = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500.00")), before)
    dedicated = deliver(OrderFactory(customer=customer, total_amount=Decimal("2500.00")), after)

    call.refresh_from_db()
    assert _live(customer) == [dedicated]
    assert (dedicated.channel, dedicated.assignee, dedicated.window_start) == (
        Channel.DEDICATED,
        owner,
        local(store, 2026, 11, 24, 18, 0),
    )
    assert (call.status, call.suppressed_reason, call.merged_into) == (Status.SUPPRESSED, Reason.MERGED, dedicated)


def test_a_care_sms_after_midnight_joins_the_call_of_that_evening():
    store = _store("Europe/Berlin")
    customer = CustomerFactory(store=store)
    before, after = _midnight(store, (2026, 10, 24))

    call = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500.00")), before)
    sms = deliver(OrderFactory(customer=customer, total_amount=Decimal("500.00")), after)

    assert _live(customer) == [call]
    assert (sms.status, sms.merged_into) == (Status.SUPPRESSED, call)


def test_a_care_sms_sent_that_morning_is_the_days_contact_as_on_one_delivery_day():
    store = _store("Asia/Shanghai")
    customer = CustomerFactory(store=store)
    sms = deliver(OrderFactory(customer=customer, total_amount=Decimal("500.00")), local(store, 2026, 11, 23, 23, 59))
    assert sms.window_start == local(store, 2026, 11, 24, 9, 0)
    FollowUp.objects.filter(pk=sms.pk).update(status=Status.SENT, provider_id="SM1")

    call = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500.00")), local(store, 2026, 11, 24, 10, 0))

    assert (call.status, call.suppressed_reason, call.merged_into_id) == (Status.SUPPRESSED, Reason.MERGED, sms.pk)


def test_a_call_moved_by_a_full_evening_joins_the_call_already_on_the_evening_it_moves_to():
    # One seat an evening. The 24th is full; the customer's call of a delivery at 20:30 on the 23rd moved to the 25th,
    # and so does the call of their delivery on the morning of the 24th: one call on the 25th, not two.
    store = StoreFactory(timezone="Asia/Shanghai")
    agent = AgentFactory(stores=[store], evening_capacity=1)
    filler = deliver(OrderFactory(total_amount=Decimal("1500"), customer=CustomerFactory(store=store)),
                     local(store, 2026, 11, 23, 20, 0))  # fmt: skip
    customer = CustomerFactory(store=store)
    moved = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500")), local(store, 2026, 11, 23, 20, 30))
    assert (filler.window_start, filler.assignee) == (local(store, 2026, 11, 24, 18, 0), agent)
    assert moved.overflowed and moved.window_start == local(store, 2026, 11, 25, 18, 0)

    later = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500")), local(store, 2026, 11, 24, 10, 0))

    assert _live(customer) == [moved]
    assert (later.status, later.suppressed_reason, later.merged_into) == (Status.SUPPRESSED, Reason.MERGED, moved)


def test_a_customers_deliveries_on_the_days_of_a_closure_are_one_call_on_the_evening_after_it():
    from datetime import date

    from crm.services.closures import store_closure_add

    store = _store("Europe/Berlin")
    with time_machine.travel(local(store, 2026, 12, 1, 10, 0), tick=False):
        store_closure_add(store=store, actor=None, name="Weihnachten", first_day=date(2026, 12, 24),
                          last_day=date(2026, 12, 26))  # fmt: skip
    customer = CustomerFactory(store=store)

    calls = [
        deliver(OrderFactory(customer=customer, total_amount=Decimal("1500")), local(store, 2026, 12, day, 10, 0))
        for day in (24, 25, 26)
    ]

    assert _live(customer) == [calls[0]]
    assert calls[0].window_start == local(store, 2026, 12, 27, 18, 0)
    assert {c.merged_into_id for c in calls[1:]} == {calls[0].pk}


def test_a_call_back_the_customer_asked_for_takes_in_a_higher_tier_delivery_of_that_day():
    # ADR 0051: the time the customer chose stays theirs; the dedicated delivery's contact joins the call back.
    from callbacks.services.outcomes import followup_log_outcome

    store = _store("Asia/Shanghai")
    owner = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store, dedicated_owner=owner)
    call = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500.00")), local(store, 2026, 11, 23, 10, 0))
    with time_machine.travel(local(store, 2026, 11, 23, 18, 10), tick=False):
        followup_log_outcome(followup=call, agent=call.assignee, outcome="call_back", expected_seq=1,
                             callback_at=local(store, 2026, 11, 23, 20, 30))  # fmt: skip
    assignee = call.assignee

    dedicated = deliver(OrderFactory(customer=customer, total_amount=Decimal("2500.00")),
                        local(store, 2026, 11, 23, 18, 20))  # fmt: skip

    call.refresh_from_db()
    assert _live(customer) == [call]
    assert (call.status, call.channel, call.window_start, call.assignee) == (
        Status.PLANNED,
        Channel.CALL,
        local(store, 2026, 11, 23, 20, 30),
        assignee,
    )
    assert (dedicated.status, dedicated.suppressed_reason, dedicated.merged_into) == (
        Status.SUPPRESSED,
        Reason.MERGED,
        call,
    )


def test_a_retry_after_no_answer_takes_in_a_higher_tier_delivery_of_that_evening():
    # ADR 0051: the call was made this evening (it rang, unanswered); its retry is that call's next try, not a contact
    # still to begin. A dedicated delivery signed for meanwhile joins it: the customer is not rung by a second agent,
    # and the attempts already made keep counting against the store's limit.
    from callbacks.services.outcomes import followup_log_outcome

    store = _store("Asia/Shanghai")
    owner = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store, dedicated_owner=owner)
    call = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500.00")), local(store, 2026, 11, 23, 10, 0))
    with time_machine.travel(local(store, 2026, 11, 23, 18, 10), tick=False):
        followup_log_outcome(followup=call, agent=call.assignee, outcome="no_answer", expected_seq=1)
    assignee = call.assignee

    dedicated = deliver(OrderFactory(customer=customer, total_amount=Decimal("2500.00")),
                        local(store, 2026, 11, 23, 18, 20))  # fmt: skip

    call.refresh_from_db()
    assert _live(customer) == [call]
    assert (call.status, call.channel, call.window_start, call.assignee, call.attempts) == (
        Status.PLANNED,
        Channel.CALL,
        local(store, 2026, 11, 23, 18, 25),
        assignee,
        1,
    )
    assert (dedicated.status, dedicated.suppressed_reason, dedicated.merged_into) == (
        Status.SUPPRESSED,
        Reason.MERGED,
        call,
    )


def test_a_delivery_that_takes_the_place_of_a_contact_takes_in_what_was_merged_into_it_too():
    # A call-tier order, then an SMS-tier one merged into its call, then a dedicated-tier one that replaces the call:
    # the SMS-tier order pointed at the replaced call, not at the dedicated call that covers it now, and the owner's
    # call panel did not list it. Every merged row points at the contact that covers it, in one step.
    from callbacks.selectors import followup_merged_orders

    store = _store("Asia/Shanghai")
    owner = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store, dedicated_owner=owner)
    call = deliver(OrderFactory(customer=customer, total_amount=Decimal("1500.00")), local(store, 2026, 11, 23, 10, 0))
    sms = deliver(OrderFactory(customer=customer, total_amount=Decimal("500.00")), local(store, 2026, 11, 23, 10, 5))
    assert sms.merged_into == call

    dedicated = deliver(OrderFactory(customer=customer, total_amount=Decimal("2500.00")),
                        local(store, 2026, 11, 23, 10, 10))  # fmt: skip

    call.refresh_from_db()
    sms.refresh_from_db()
    assert _live(customer) == [dedicated]
    assert (call.merged_into, sms.merged_into) == (dedicated, dedicated)
    assert followup_merged_orders(followup=dedicated) == [call.order, sms.order]
