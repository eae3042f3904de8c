"""A planned care contact moved onto a day on which its customer already has one becomes one contact with it (ADR 0051):
by a closure, new call days or SMS hours, a new time zone, a handover's overflow, a call back or a claim held to the
next sending hours; and so does the care SMS sent instead of a call, on the day it goes out. The higher channel wins;
nothing under way, made or asked for by the customer is changed."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.missed import followups_close_missed
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.policy import policy_update
from callbacks.telephony.memory import InMemoryBackend
from crm.services.closures import store_closure_add
from crm.services.stores import store_timezone_change
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory

from .conftest import deliver

pytestmark = pytest.mark.django_db
Status, Reason = FollowUp.Status, FollowUp.SuppressedReason
SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")


def at(day, hour, minute=0, zone=SHANGHAI):
    return datetime(2026, 11, day, hour, minute, tzinfo=zone)  # the 23rd is a Monday


@pytest.fixture
def store():
    store = StoreFactory(timezone="Asia/Shanghai")
    AgentFactory(stores=[store])
    return store


def _contact(customer, start, *, channel="call", amount="1500", end=None, **kwargs) -> FollowUp:
    end = end or (start.replace(hour=21, minute=0) if channel == "sms" else start + timedelta(hours=1))
    order = OrderFactory(customer=customer, total_amount=Decimal(amount))
    return FollowUpFactory(order=order, channel=channel, window_start=start, window_end=end, **kwargs)


def _live(customer):
    return list(customer.followups.exclude(status=Status.SUPPRESSED).order_by("pk"))


def _merged(followup):
    followup.refresh_from_db()
    return followup.status, followup.suppressed_reason, followup.merged_into_id


def test_a_closure_recorded_after_planning_moves_a_call_onto_the_evening_of_the_customers_next_call(store):
    customer = CustomerFactory(store=store)
    first, second = _contact(customer, at(25, 18)), _contact(customer, at(26, 18))

    with time_machine.travel(at(23, 10), tick=False):
        wednesday = date(2026, 11, 25)
        store_closure_add(store=store, actor=None, name="盘点", first_day=wednesday, last_day=wednesday)

    assert _live(customer) == [second]
    assert _merged(first) == (Status.SUPPRESSED, Reason.MERGED, second.pk)


def test_a_day_no_longer_a_call_day_moves_a_dedicated_call_onto_the_evening_of_the_customers_call(store):
    owner = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store, dedicated_owner=owner)
    dedicated = _contact(customer, at(24, 18), channel="dedicated", amount="3000", assignee=owner)  # Tuesday
    call = _contact(customer, at(25, 18))  # Wednesday

    with time_machine.travel(at(23, 16), tick=False):
        policy_update(store=store, actor=None, changes={"call_days": [0, 2, 3, 4, 5, 6]})

    dedicated.refresh_from_db()
    assert (dedicated.window_start, dedicated.assignee) == (at(25, 18), owner)
    assert _live(customer) == [dedicated]  # the higher tier
    assert _merged(call) == (Status.SUPPRESSED, Reason.MERGED, dedicated.pk)


def test_new_sms_hours_moving_a_held_sms_onto_the_day_of_one_a_worker_claimed_never_send_it(store):
    customer = CustomerFactory(store=store)
    now = at(23, 22)
    claimed = _contact(customer, at(23, 21, 30), end=at(23, 23), channel="sms", amount="500", status=Status.SENDING,
                       claimed_at=now, attempts=1, recipient=customer.phone, message_body="您好")  # fmt: skip
    held = _contact(customer, at(24, 9), channel="sms", amount="500")

    with time_machine.travel(now, tick=False):
        policy_update(store=store, actor=None, changes={"sms_send_until": time(23)})
        sms_dispatch_due(time_budget=5)

    held.refresh_from_db()
    assert held.window_start == now  # the hours are open: it would have gone at once
    assert _merged(held) == (Status.SUPPRESSED, Reason.MERGED, claimed.pk)
    claimed.refresh_from_db()
    assert claimed.status == Status.SENDING  # the worker's: left as it is
    assert InMemoryBackend.messages == []


def test_a_move_east_past_tonights_window_puts_the_call_onto_the_evening_of_the_customers_next_call():
    store = StoreFactory(timezone="Europe/Berlin")
    AgentFactory(stores=[store])
    customer = CustomerFactory(store=store)
    tonight = deliver(OrderFactory(customer=customer), at(23, 12, zone=BERLIN))
    tomorrow = _contact(customer, at(24, 18, zone=SHANGHAI), channel="dedicated", amount="3000")

    with time_machine.travel(at(23, 13, zone=BERLIN), tick=False):  # 20:00 in Shanghai
        store_timezone_change(store=store, zone="Asia/Shanghai", actor=None)

    assert _planned(customer) == [tomorrow]  # the unanswered call is closed
    assert _merged(tonight) == (Status.SUPPRESSED, Reason.MERGED, tomorrow.pk)


def test_a_handed_over_call_the_full_evening_moves_joins_the_customers_call_of_the_next_evening():
    store = StoreFactory(timezone="Asia/Shanghai")
    leaver, colleague = AgentFactory(stores=[store]), AgentFactory(stores=[store], evening_capacity=1)
    customer = CustomerFactory(store=store)
    _contact(CustomerFactory(store=store), at(23, 18), assignee=colleague)  # tonight's one seat
    handed = _contact(customer, at(23, 18), assignee=leaver)
    next_evening = _contact(customer, at(24, 18), assignee=colleague)

    with time_machine.travel(at(23, 10), tick=False):
        leaver.stores.remove(store)

    handed.refresh_from_db()
    assert handed.overflowed and handed.window_start == at(24, 18)
    assert _live(customer) == [next_evening]
    assert _merged(handed) == (Status.SUPPRESSED, Reason.MERGED, next_evening.pk)


def test_a_call_back_asked_for_another_day_takes_in_the_contact_planned_that_day(store):
    agent = store.agents.get()
    customer = CustomerFactory(store=store)
    call = _contact(customer, at(23, 18), assignee=agent)
    dedicated = _contact(customer, at(24, 18), channel="dedicated", amount="3000", assignee=agent)

    with time_machine.travel(at(23, 18, 10), tick=False):
        followup_log_outcome(followup=call, agent=agent, outcome="call_back", expected_seq=1, callback_at=at(24, 20))

    call.refresh_from_db()
    assert (call.status, call.window_start, call.channel) == (Status.PLANNED, at(24, 20), "call")  # the customer's
    assert _live(customer) == [call]
    assert _merged(dedicated) == (Status.SUPPRESSED, Reason.MERGED, call.pk)


def test_a_care_sms_the_claim_holds_to_the_next_morning_joins_the_call_of_that_day(store):
    customer = CustomerFactory(store=store)
    late = _contact(customer, at(23, 20, 50), channel="sms", amount="500")  # nobody swept before 21:00
    call = _contact(customer, at(24, 18))

    with time_machine.travel(at(23, 21, 5), tick=False):
        sms_dispatch_due(time_budget=5)

    late.refresh_from_db()
    assert late.window_start == at(24, 9)
    assert _live(customer) == [call]
    assert _merged(late) == (Status.SUPPRESSED, Reason.MERGED, call.pk)
    assert InMemoryBackend.messages == []


def _planned(customer):
    return list(customer.followups.filter(status=Status.PLANNED).order_by("pk"))


def _late_call(customer, agent=None):
    """A care call of an evening that runs past the SMS hours (20:30-21:30; texts until 21:00)."""
    return _contact(customer, at(23, 20, 30), assignee=agent)


def test_the_care_sms_instead_of_a_missed_call_joins_the_sms_of_another_order_the_next_morning(store):
    customer = CustomerFactory(store=store)
    missed = _late_call(customer)
    morning = _contact(customer, at(24, 9), channel="sms", amount="500")  # signed for at 21:20: texted at 09:00

    with time_machine.travel(at(23, 21, 40), tick=False):
        followups_close_missed()

    instead = customer.followups.get(order=missed.order, channel="sms")
    assert instead.window_start == at(24, 9)
    assert _planned(customer) == [morning]  # the missed call is closed
    assert _merged(instead) == (Status.SUPPRESSED, Reason.MERGED, morning.pk)
    with time_machine.travel(at(24, 9, 5), tick=False):
        sms_dispatch_due(time_budget=5)
    assert len(InMemoryBackend.messages) == 1


def test_the_care_sms_instead_of_an_unanswered_last_try_joins_the_call_of_the_next_evening(store):
    agent = store.agents.get()
    customer = CustomerFactory(store=store)
    call = _late_call(customer, agent)
    call.attempts = 2
    call.save(update_fields=["attempts"])
    tomorrow = _contact(customer, at(24, 18), assignee=agent)

    with time_machine.travel(at(23, 21, 20), tick=False):
        followup_log_outcome(followup=call, agent=agent, outcome="no_answer", expected_seq=1)

    instead = customer.followups.get(order=call.order, channel="sms")
    assert instead.window_start == at(24, 9)
    assert _planned(customer) == [tomorrow]  # the unanswered call is closed
    assert _merged(instead) == (Status.SUPPRESSED, Reason.MERGED, tomorrow.pk)
