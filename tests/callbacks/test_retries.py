"""A care call that rang unanswered is tried again 15 minutes later that evening, while the window and the store's
attempt limit allow; else the care SMS goes instead (services.outcomes). The retry is the evening's call, tried once
already, not a contact still to begin. A handover (ADR 0031) and re-planning (ADR 0029, 0035) placed it as a fresh
call all the same: a leaving agent's retry on a full evening was moved to the next evening by the overflow rule (or
turned into an SMS in place), and a retry that new hours, a closure or a zone change left no room for tonight was
carried to another evening, where it rang the customer again about a delivery whose call had already gone unanswered
and, as a call already tried, took in the contact planned on that day (a dedicated owner's call). Shanghai time;
23 November 2026 is a Monday."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.policy import policy_update
from crm.services.closures import store_closure_add
from crm.services.stores import store_timezone_change
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def _call(store, assignee, *, day=23, channel="call", customer=None, amount="1500") -> FollowUp:
    customer = customer or CustomerFactory(store=store)
    return FollowUpFactory(
        order=OrderFactory(customer=customer, total_amount=Decimal(amount)),
        assignee=assignee,
        channel=channel,
        tier=channel,
        window_start=at(day, 18),
        window_end=at(day, 19),
    )


def _unanswered(call: FollowUp) -> FollowUp:
    """The agent rang at 18:30 and nobody answered: tried again at 18:45."""
    with time_machine.travel(at(23, 18, 30), tick=False):
        followup_log_outcome(followup=call, agent=call.assignee, outcome="no_answer", expected_seq=1)
    call.refresh_from_db()
    assert (call.status, call.attempts, call.window_start) == ("planned", 1, at(23, 18, 45))
    return call


# A handover (services.handover)


@pytest.mark.parametrize("overflow_rule", ["next_window", "sms_instead"])
def test_a_retry_handed_on_keeps_its_time_tonight_on_a_full_evening(overflow_rule):
    store = StoreFactory()
    policy_update(store=store, actor=None, changes={"overflow_rule": overflow_rule})
    leaver, full = AgentFactory(stores=[store]), AgentFactory(stores=[store], evening_capacity=1)
    _call(store, full)
    retry = _unanswered(_call(store, leaver))

    with time_machine.travel(at(23, 18, 35), tick=False):
        store.agents.remove(leaver)

    retry.refresh_from_db()
    assert (retry.channel, retry.window_start, retry.window_end) == ("call", at(23, 18, 45), at(23, 19))
    assert (retry.assignee, retry.status, retry.attempts, retry.overflowed) == (full, "planned", 1, False)
    assert not FollowUp.objects.filter(channel="sms").exists()


def test_a_retry_handed_on_is_placed_before_the_fresh_calls_of_the_evening():
    store = StoreFactory()
    leaver, stays = AgentFactory(stores=[store]), AgentFactory(stores=[store], evening_capacity=1)
    retry = _unanswered(_call(store, leaver, amount="1500"))
    fresh = _call(store, leaver, amount="9000")  # a larger order, not called yet

    with time_machine.travel(at(23, 18, 35), tick=False):
        store.agents.remove(leaver)

    retry.refresh_from_db()
    fresh.refresh_from_db()
    assert (retry.assignee, retry.window_start, retry.overflowed) == (stays, at(23, 18, 45), False)
    assert (fresh.window_start, fresh.overflowed) == (at(24, 18), True)  # the overflow rule, as planning's


# Re-planning (services.replan)


def _owners_call_tomorrow(retry: FollowUp) -> FollowUp:
    """Another delivery of the same customer, a dedicated owner's call tomorrow evening."""
    owner = AgentFactory(stores=[retry.store])
    return _call(retry.store, owner, day=24, channel="dedicated", customer=retry.customer, amount="20000")


def _closed_as_its_last_try(retry: FollowUp) -> None:
    retry.refresh_from_db()
    assert (retry.status, retry.outcome, retry.attempts) == ("done", "no_answer", 1)
    sms = FollowUp.objects.get(order=retry.order, channel="sms")
    assert (sms.status, sms.window_start) == ("planned", at(23, 18, 35))  # inside the SMS hours: at once


def test_a_retry_new_hours_leave_no_room_for_tonight_closes_with_the_care_sms_instead():
    store = StoreFactory()
    retry = _unanswered(_call(store, AgentFactory(stores=[store])))
    owners = _owners_call_tomorrow(retry)

    with time_machine.travel(at(23, 18, 35), tick=False):
        policy_update(store=store, actor=None, changes={"call_window_start": time(17), "call_window_end": time(18)})

    _closed_as_its_last_try(retry)
    owners.refresh_from_db()  # the owner's call was not taken into a retry carried onto its evening
    assert (owners.status, owners.channel, owners.window_start) == ("planned", "dedicated", at(24, 17))


def test_a_retry_on_an_evening_closed_meanwhile_closes_with_the_care_sms_instead():
    store = StoreFactory()
    retry = _unanswered(_call(store, AgentFactory(stores=[store])))
    owners = _owners_call_tomorrow(retry)

    with time_machine.travel(at(23, 18, 35), tick=False):
        today = date(2026, 11, 23)
        store_closure_add(store=store, actor=None, name="盘点", first_day=today, last_day=today)

    _closed_as_its_last_try(retry)
    owners.refresh_from_db()
    assert (owners.status, owners.channel, owners.window_start) == ("planned", "dedicated", at(24, 18))


def test_a_retry_a_zone_change_puts_past_its_evening_closes_with_the_care_sms_instead():
    berlin = ZoneInfo("Europe/Berlin")
    store = StoreFactory(timezone="Europe/Berlin")
    agent = AgentFactory(stores=[store])
    call = FollowUpFactory(
        order=OrderFactory(customer=CustomerFactory(store=store)),
        assignee=agent,
        window_start=datetime(2026, 11, 23, 18, tzinfo=berlin),
        window_end=datetime(2026, 11, 23, 19, tzinfo=berlin),
    )
    with time_machine.travel(datetime(2026, 11, 23, 18, 30, tzinfo=berlin), tick=False):
        followup_log_outcome(followup=call, agent=agent, outcome="no_answer", expected_seq=1)

    # 01:35 the next day in Shanghai: the evening the retry was in is over in the new zone.
    with time_machine.travel(datetime(2026, 11, 23, 18, 35, tzinfo=berlin), tick=False):
        store_timezone_change(store=store, zone="Asia/Shanghai", actor=None)

    call.refresh_from_db()
    assert (call.status, call.outcome, call.attempts) == ("done", "no_answer", 1)
    sms = FollowUp.objects.get(order=call.order, channel="sms")
    assert (sms.status, sms.window_start) == ("planned", at(24, 9))  # the Shanghai sending hours open at 09:00


def test_a_retry_that_still_fits_its_evening_keeps_its_agent_attempts_and_later_start():
    store = StoreFactory()
    agent = AgentFactory(stores=[store])
    retry = _unanswered(_call(store, agent))

    with time_machine.travel(at(23, 18, 35), tick=False):
        policy_update(store=store, actor=None, changes={"call_window_end": time(20)})

    retry.refresh_from_db()
    assert (retry.status, retry.assignee, retry.attempts) == ("planned", agent, 1)
    assert (retry.window_start, retry.window_end) == (at(23, 18, 45), at(23, 20))
    assert not FollowUp.objects.filter(channel="sms").exists()
    assert retry.window_end - retry.window_start == timedelta(minutes=75)
