"""A manager who moves the evening call window, the call days, the call hours or the SMS sending hours moves the
contacts already planned: tonight's calls stayed in the old 18:00-19:00 window when the evening became 19:00-20:00,
so at 19:05 the missed-call sweep closed every one of them, unmade, and sent the care SMS instead; a care SMS held
for a 09:00 opening waited for it after the manager opened at 08:00. Now planned contacts still to come are placed
again by the new settings in the same transaction; a call back keeps the time the customer asked for."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.missed import followups_close_missed
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.policy import policy_update
from callbacks.services.tasks_calls import call_task_create
from tests.factories import AgentFactory, FollowUpFactory, OrderFactory, StoreFactory
from tests.policy_forms import policy_admin_form

from .conftest import deliver

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI)  # a Monday afternoon


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def store():
    store = StoreFactory()
    AgentFactory(stores=[store])
    return store


def _change(store, moment=NOW, **changes):
    with time_machine.travel(moment, tick=False):
        policy_update(store=store, actor=None, changes=changes)


def _window(followup):
    followup.refresh_from_db()
    return followup.window_start, followup.window_end


def test_tonights_calls_move_to_the_new_evening_window_and_are_not_closed_as_missed(store):
    followup = deliver(OrderFactory(customer__store=store), at(23, 14))
    assert _window(followup) == (at(23, 18), at(23, 19))

    _change(store, call_window_start=time(19), call_window_end=time(20))

    assert _window(followup) == (at(23, 19), at(23, 20))
    followups_close_missed(now=at(23, 19, 6))
    followup.refresh_from_db()
    assert followup.status == "planned" and not FollowUp.objects.filter(channel="sms").exists()


def test_a_window_moved_to_an_hour_already_over_tonight_moves_the_calls_to_the_next_evening(store):
    followup = deliver(OrderFactory(customer__store=store), at(23, 14))

    _change(store, at(23, 18, 30), call_window_start=time(17), call_window_end=time(18))

    assert _window(followup) == (at(24, 17), at(24, 18))


def test_a_day_no_longer_a_call_day_moves_its_calls_to_the_next_call_day(store):
    followup = FollowUpFactory(order__customer__store=store, window_start=at(24, 18), window_end=at(24, 19))

    _change(store, call_days=[0, 2, 3, 4, 5, 6])  # no calls on Tuesdays

    assert _window(followup) == (at(25, 18), at(25, 19))
    assert followup.contact_day == date(2026, 11, 24)  # the delivery's day: one care contact per customer and day


def test_a_retry_keeps_its_later_start_inside_the_new_window(store):
    followup = FollowUpFactory(order__customer__store=store, window_start=at(23, 18, 15), window_end=at(23, 19))

    _change(store, call_window_start=time(18), call_window_end=time(20))

    assert _window(followup) == (at(23, 18, 15), at(23, 20))


def test_a_call_back_keeps_the_time_the_customer_asked_for(store):
    agent = AgentFactory(stores=[store])
    followup = FollowUpFactory(
        order__customer__store=store, assignee=agent, window_start=at(23, 18), window_end=at(23, 19)
    )
    with time_machine.travel(at(23, 18, 10), tick=False):
        followup_log_outcome(
            followup=followup, agent=agent, outcome="call_back", expected_seq=1, callback_at=at(24, 20, 30)
        )

    _change(store, at(23, 18, 20), call_window_start=time(19), call_window_end=time(20))

    assert _window(followup) == (at(24, 20, 30), at(24, 21, 30))


def test_call_tasks_take_the_new_call_hours_of_their_day(store):
    order = OrderFactory(customer__store=store)
    with time_machine.travel(NOW, tick=False):
        task = call_task_create(order=order, customer=order.customer, purpose="logistics", due_on=NOW.date(), note="")

    _change(store, call_hours_from=time(10), call_hours_until=time(19))

    assert _window(task) == (at(23, 10), at(23, 19))


def test_a_care_sms_held_for_the_opening_goes_at_the_new_earlier_opening(store):
    sms = deliver(OrderFactory(customer__store=store, total_amount=Decimal("500.00")), at(23, 23))
    assert _window(sms) == (at(24, 9), at(24, 21))

    _change(store, at(24, 7, 30), sms_send_from=time(8))

    assert _window(sms) == (at(24, 8), at(24, 21))


def test_a_change_of_anything_else_moves_nothing(store):
    followup = deliver(OrderFactory(customer__store=store), at(23, 14))
    before = followup.updated_at

    _change(store, max_call_attempts=2, call_window_start=time(18), call_window_end=time(19))

    followup.refresh_from_db()
    assert (followup.window_start, followup.window_end, followup.updated_at) == (at(23, 18), at(23, 19), before)


def test_new_hours_saved_in_the_admin_move_the_planned_calls_too(admin_client, store):
    followup = deliver(OrderFactory(customer__store=store), at(23, 14))
    form = policy_admin_form(store, call_window_start="19:00", call_window_end="20:00")

    with time_machine.travel(NOW, tick=False):
        answer = admin_client.post("/admin/callbacks/followuppolicy/add/", form)

    assert answer.status_code == 302, answer.text[:2000]
    assert _window(followup) == (at(23, 19), at(23, 20))
