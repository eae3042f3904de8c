"""A store closed over Christmas (a dated closure, ADR 0035) calls nobody on those evenings: nobody works the queue.
Evening care calls were planned on them all the same; the calls closed as missed after the evening, the escalations
page listed them as nobody called in their window, and the customer promised a call heard nothing. Now a call that
would fall on a closed evening is planned on the next open one, by planning's rule for a full evening (capacity, then
the store's overflow rule), and calls already planned for a closure's evenings move when it is recorded. Call tasks
(a parcel at risk, a return visit) skip closed days as well. Times are Berlin's; 24-26 December 2026 are Thursday to
Saturday."""

from datetime import date, datetime, time
from decimal import Decimal
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.missed import followups_close_missed
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.policy import policy_update
from callbacks.services.replan import followups_free_closed_days
from callbacks.services.tasks_calls import call_task_create
from crm.errors import InvalidInput
from crm.models import StoreClosure
from crm.services.closures import store_closure_add, store_closure_remove
from crm.services.policy import case_policy_update
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory

from .conftest import deliver

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CHRISTMAS = (date(2026, 12, 24), date(2026, 12, 26))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


def evening(day: int) -> tuple[datetime, datetime]:
    return at(day, 18), at(day, 19)


@pytest.fixture
def store():
    return StoreFactory(timezone="Europe/Berlin")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


def _close(store, moment: datetime, first=CHRISTMAS[0], last=CHRISTMAS[1]):
    with time_machine.travel(moment, tick=False):
        return store_closure_add(store=store, actor=None, name="Weihnachten", first_day=first, last_day=last)


def _window(followup: FollowUp) -> tuple[datetime, datetime]:
    followup.refresh_from_db()
    return followup.window_start, followup.window_end


def _call(store, agent, day: int, amount="1500.00", **fields) -> FollowUp:
    return FollowUpFactory(
        order__customer__store=store, order__total_amount=Decimal(amount), assignee=agent,
        window_start=at(day, 18), window_end=at(day, 19), contact_day=date(2026, 12, day), **fields,
    )  # fmt: skip


def test_a_delivery_on_a_closed_day_is_called_on_the_next_open_evening(store, agent):
    _close(store, at(1, 10))

    followup = deliver(OrderFactory(customer__store=store), at(24, 10))

    assert _window(followup) == evening(27)
    assert followup.assignee == agent and not followup.overflowed
    assert followup.contact_day == date(2026, 12, 24)  # the delivery's day: one care contact per customer and day


def test_a_delivery_after_the_evening_before_a_closure_is_called_after_it(store, agent):
    _close(store, at(1, 10))

    followup = deliver(OrderFactory(customer__store=store), at(23, 20))

    assert _window(followup) == evening(27)


def test_calls_planned_for_a_closure_move_when_it_is_recorded_and_are_not_missed(store, agent):
    followup = deliver(OrderFactory(customer__store=store), at(23, 20))
    assert _window(followup) == evening(24)

    _close(store, at(23, 21))

    assert _window(followup) == evening(27)
    assert followup.status == "planned" and followup.assignee == agent
    followups_close_missed(now=at(24, 19, 6))
    followup.refresh_from_db()
    assert followup.status == "planned" and not FollowUp.objects.filter(channel="sms").exists()


def test_a_closure_recorded_today_moves_tonights_calls(store, agent):
    followup = deliver(OrderFactory(customer__store=store), at(24, 9))
    assert _window(followup) == evening(24)

    _close(store, at(24, 11))

    assert _window(followup) == evening(27)


def test_moved_calls_are_weighed_against_the_next_open_evening_and_overflow_to_the_one_after(store):
    agent = AgentFactory(stores=[store], evening_capacity=2)
    already = _call(store, agent, 27)
    small, big = _call(store, agent, 24, amount="1200.00"), _call(store, agent, 25, amount="3000.00")

    _close(store, at(20, 10))

    # The larger order takes the evening's last room, as in planning; the smaller goes by the overflow rule.
    assert _window(big) == evening(27) and big.assignee == agent and not big.overflowed
    assert _window(small) == evening(28) and small.assignee == agent and small.overflowed
    assert _window(already) == evening(27)


def test_a_moved_call_that_does_not_fit_becomes_a_care_sms_where_the_store_texts_instead(store):
    agent = AgentFactory(stores=[store], evening_capacity=1)
    with time_machine.travel(at(20, 10), tick=False):
        policy_update(store=store, actor=None, changes={"overflow_rule": "sms_instead"})
    _call(store, agent, 27)
    moved = _call(store, agent, 24)

    _close(store, at(20, 11))

    moved.refresh_from_db()
    assert moved.channel == "sms" and moved.overflowed and moved.assignee is None
    assert (moved.window_start, moved.window_end) == (at(20, 11), at(20, 21))  # SMS hours are not the evening's


def test_a_call_back_asked_for_a_day_that_closes_goes_to_the_next_open_evening(store, agent):
    followup = _call(store, agent, 23)
    with time_machine.travel(at(23, 18, 10), tick=False):
        followup_log_outcome(
            followup=followup, agent=agent, outcome="call_back", expected_seq=1, callback_at=at(25, 11)
        )

    _close(store, at(23, 18, 20))

    assert _window(followup) == evening(27)


def test_a_call_back_cannot_be_asked_for_a_closed_day(store, agent):
    _close(store, at(1, 10))
    followup = _call(store, agent, 23)

    with time_machine.travel(at(23, 18, 10), tick=False), pytest.raises(InvalidInput) as refused:
        followup_log_outcome(
            followup=followup, agent=agent, outcome="call_back", expected_seq=1, callback_at=at(25, 11)
        )

    assert refused.value.field == "callback_at"
    assert "Weihnachten" in refused.value.message
    assert _window(followup) == evening(23)


def test_removing_a_closure_strands_nothing_and_its_days_are_called_again(store, agent):
    moved = deliver(OrderFactory(customer__store=store), at(23, 20))
    closure = _close(store, at(23, 21))
    assert _window(moved) == evening(27)

    with time_machine.travel(at(23, 22), tick=False):
        store_closure_remove(store=store, actor=None, closure_id=closure.pk)

    assert _window(moved) == evening(27)  # still planned, on an evening the store calls on
    assert deliver(OrderFactory(customer__store=store), at(24, 10)).window_start == at(24, 18)


def test_a_closure_ended_under_way_is_kept_and_its_evenings_from_the_day_it_ended_are_called(store, agent):
    closure = _close(store, at(1, 10))
    with time_machine.travel(at(25, 10), tick=False):  # Christmas Day, 10:00: the store opens again
        assert store_closure_remove(store=store, actor=None, closure_id=closure.pk) == closure
    assert StoreClosure.objects.get().ended_at == at(25, 10)

    assert deliver(OrderFactory(customer__store=store), at(25, 11)).window_start == at(25, 18)
    followup = _call(store, agent, 25)
    with time_machine.travel(at(25, 18, 10), tick=False):  # a call back on the 26th, once closed, may be asked
        followup_log_outcome(
            followup=followup, agent=agent, outcome="call_back", expected_seq=1, callback_at=at(26, 11)
        )
    assert _window(followup)[0] == at(26, 11)


def test_closures_back_to_back_longer_than_a_week_are_skipped_whole(store, agent):
    with time_machine.travel(at(1, 10), tick=False):
        policy_update(store=store, actor=None, changes={"call_days": [0]})  # Mondays only
    _close(store, at(1, 10), date(2026, 12, 7), date(2026, 12, 31))
    _close(store, at(1, 10), date(2027, 1, 1), date(2027, 1, 10))

    followup = deliver(OrderFactory(customer__store=store), at(6, 10))

    assert _window(followup) == (datetime(2027, 1, 11, 18, tzinfo=BERLIN), datetime(2027, 1, 11, 19, tzinfo=BERLIN))


def test_the_case_desks_weekly_days_off_leave_the_call_days_as_they_are(store, agent):
    """ADR 0035: the follow-up policy's call days are the only weekly rule for calls; a store whose case desk is
    closed on Sundays may still call on Sundays, and unticks Sunday in the call days when it does not."""
    with time_machine.travel(at(1, 10), tick=False):
        case_policy_update(
            store=store, actor=None, assignment="least_loaded", service_start=time(9), service_end=time(18),
            days_off=[6],
        )  # fmt: skip

    followup = deliver(OrderFactory(customer__store=store), at(20, 10))  # a Sunday

    assert _window(followup) == evening(20)


def test_a_call_task_due_on_a_closed_day_is_due_on_the_next_open_day(store, agent):
    _close(store, at(1, 10))
    order = OrderFactory(customer=CustomerFactory(store=store))

    with time_machine.travel(at(23, 10), tick=False):
        task = call_task_create(order=order, customer=order.customer, purpose="logistics", due_on=CHRISTMAS[0], note="")

    assert _window(task) == (at(27, 9), at(27, 21))
    assert task.contact_day == date(2026, 12, 27)


def test_call_tasks_planned_for_a_closure_move_to_the_next_open_day_when_it_is_recorded(store, agent):
    order = OrderFactory(customer=CustomerFactory(store=store))
    with time_machine.travel(at(23, 10), tick=False):
        task = call_task_create(order=order, customer=order.customer, purpose="logistics", due_on=CHRISTMAS[0], note="")
    assert _window(task) == (at(24, 9), at(24, 21))

    _close(store, at(23, 11))

    assert _window(task) == (at(27, 9), at(27, 21))
    assert task.contact_day == date(2026, 12, 27)


def _closure_recorded_before_calls_followed_closures(store):
    """A closure recorded before closures stopped calls: its row is there, the calls planned on its days were left."""
    return StoreClosure.objects.create(
        store=store, name="Weihnachten", first_day=CHRISTMAS[0], last_day=CHRISTMAS[1], recorded_at=at(1, 10)
    )


def test_calls_left_on_a_closure_recorded_before_calls_followed_closures_move_once_at_deploy(store, agent):
    # Planned before the closure stopped calls: they stayed on its evenings until it was removed and added again, and
    # were missed there. The one-off replan after the deploy's migrations moves them; a second run moves nothing.
    tonight = deliver(OrderFactory(customer__store=store), at(23, 20))
    order = OrderFactory(customer=CustomerFactory(store=store))
    with time_machine.travel(at(23, 10), tick=False):
        task = call_task_create(order=order, customer=order.customer, purpose="logistics", due_on=CHRISTMAS[1], note="")
    _closure_recorded_before_calls_followed_closures(store)
    elsewhere = StoreFactory(timezone="Europe/Berlin")  # no closure: nothing of it is touched
    untouched = deliver(OrderFactory(customer__store=elsewhere), at(23, 20))
    its_window = _window(untouched)

    assert followups_free_closed_days(now=at(23, 21)) == {store.pk: 2}

    assert _window(tonight) == evening(27) and tonight.assignee == agent
    assert _window(task) == (at(27, 9), at(27, 21)) and task.contact_day == date(2026, 12, 27)
    assert _window(untouched) == its_window
    assert followups_free_closed_days(now=at(23, 21, 5)) == {}


def test_the_migration_frees_the_closures_evenings_once_its_migrate_run_is_over(store, agent):
    """The one-off runs on the models as the code has them (after every migration of the run), not on the historical
    ones in the middle of it, and once."""
    from django.apps import apps as django_apps
    from django.core.management.sql import emit_post_migrate_signal

    migration = import_module("callbacks.migrations.0012_calls_off_closures_recorded_before")
    tonight = deliver(OrderFactory(customer__store=store), at(23, 20))
    _closure_recorded_before_calls_followed_closures(store)

    with time_machine.travel(at(23, 21), tick=False):
        migration.free_closed_evenings_after_migrate(django_apps, None)
        assert _window(tonight) == evening(24)  # not during the migrations
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert _window(tonight) == evening(27)

    FollowUp.objects.filter(pk=tonight.pk).update(window_start=at(24, 18), window_end=at(24, 19))
    with time_machine.travel(at(23, 22), tick=False):
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # a later migrate: not again
    assert _window(tonight) == evening(24)
