"""A store moved to another time zone keeps what it planned in local time: the evening calls of a store moved from
Shanghai to Berlin stayed at 18:00 Shanghai time (11:00 in Berlin), out of the evening queue and closed as missed
before Berlin's evening began; a care SMS held for the Shanghai morning waited for it. Now every planned contact still
to come is placed again in the new zone, in the zone change's transaction; what has happened stays as it was."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUp
from callbacks.services.missed import followups_close_missed
from callbacks.services.outcomes import followup_log_outcome
from callbacks.services.tasks_calls import call_task_create
from crm.services.stores import store_timezone_change
from tests.admin_stores import store_form
from tests.factories import AgentFactory, FollowUpFactory, OrderFactory, StoreFactory

from .conftest import deliver

pytestmark = pytest.mark.django_db

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
# 16:00 in Shanghai, 09:00 in Berlin (CET, UTC+1, in November).
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def store():
    store = StoreFactory(timezone="Asia/Shanghai")
    AgentFactory(stores=[store])
    return store


def _move(store, zone="Europe/Berlin", *, at=NOW):
    with time_machine.travel(at, tick=False):
        store_timezone_change(store=store, zone=zone, actor=None)
    store.refresh_from_db()


def _window(followup):
    followup.refresh_from_db()
    return followup.window_start, followup.window_end


def test_tonights_evening_call_moves_to_the_same_evening_in_berlin_and_is_not_closed_as_missed(store):
    followup = deliver(OrderFactory(customer__store=store), datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI))
    shanghai_evening = (datetime(2026, 11, 23, 18, tzinfo=SHANGHAI), datetime(2026, 11, 23, 19, tzinfo=SHANGHAI))
    assert _window(followup) == shanghai_evening

    _move(store)

    assert _window(followup) == (datetime(2026, 11, 23, 18, tzinfo=BERLIN), datetime(2026, 11, 23, 19, tzinfo=BERLIN))
    assert followup.contact_day.isoformat() == "2026-11-23" and followup.assignee is not None
    followups_close_missed(now=datetime(2026, 11, 23, 19, 6, tzinfo=SHANGHAI))
    followup.refresh_from_db()
    assert followup.status == "planned"


def test_a_care_sms_held_for_the_shanghai_morning_goes_at_once_in_the_berlin_afternoon(store):
    order = OrderFactory(customer__store=store, total_amount=Decimal("500.00"))
    sms = deliver(order, datetime(2026, 11, 22, 23, 0, tzinfo=SHANGHAI))
    assert (sms.channel, sms.window_start) == ("sms", datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))
    moved_at = datetime(2026, 11, 22, 16, 30, tzinfo=BERLIN)  # 23:30 in Shanghai

    _move(store, at=moved_at)

    assert _window(sms) == (moved_at, datetime(2026, 11, 22, 21, tzinfo=BERLIN))


def test_a_care_sms_held_overnight_waits_for_the_berlin_morning(store):
    order = OrderFactory(customer__store=store, total_amount=Decimal("500.00"))
    sms = deliver(order, datetime(2026, 11, 23, 4, 0, tzinfo=SHANGHAI))

    _move(store, at=datetime(2026, 11, 22, 21, 30, tzinfo=BERLIN))  # 04:30 in Shanghai

    assert _window(sms) == (datetime(2026, 11, 23, 9, tzinfo=BERLIN), datetime(2026, 11, 23, 21, tzinfo=BERLIN))


def test_a_call_task_keeps_its_day_in_the_berlin_call_hours(store):
    order = OrderFactory(customer__store=store)
    with time_machine.travel(NOW, tick=False):
        task = call_task_create(
            order=order, customer=order.customer, purpose="logistics", due_on=NOW.date(), note="快递停滞"
        )

    _move(store)

    assert _window(task) == (datetime(2026, 11, 23, 9, tzinfo=BERLIN), datetime(2026, 11, 23, 21, tzinfo=BERLIN))
    assert task.contact_day.isoformat() == "2026-11-23"


def test_a_call_back_keeps_the_time_the_customer_asked_for(store):
    agent = AgentFactory(stores=[store])
    followup = FollowUpFactory(
        order__customer__store=store,
        assignee=agent,
        window_start=datetime(2026, 11, 23, 18, tzinfo=SHANGHAI),
        window_end=datetime(2026, 11, 23, 19, tzinfo=SHANGHAI),
    )
    with time_machine.travel(datetime(2026, 11, 23, 18, 10, tzinfo=SHANGHAI), tick=False):
        followup_log_outcome(
            followup=followup,
            agent=agent,
            outcome="call_back",
            expected_seq=1,
            callback_at=datetime(2026, 11, 24, 20, 30, tzinfo=SHANGHAI),
        )

    _move(store, at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC))

    start, end = _window(followup)
    assert (start.astimezone(BERLIN).isoformat(), end - start) == ("2026-11-24T20:30:00+01:00", timedelta(hours=1))


def test_a_move_east_past_tonights_window_plans_the_next_evening():
    store = StoreFactory(timezone="Europe/Berlin")
    AgentFactory(stores=[store])
    followup = deliver(OrderFactory(customer__store=store), datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN))

    _move(store, "Asia/Shanghai", at=datetime(2026, 11, 23, 13, 0, tzinfo=BERLIN))  # 20:00 in Shanghai

    assert _window(followup) == (
        datetime(2026, 11, 24, 18, tzinfo=SHANGHAI),
        datetime(2026, 11, 24, 19, tzinfo=SHANGHAI),
    )


def test_what_has_happened_or_is_under_way_stays_as_it_was(store):
    tonight = {
        "window_start": datetime(2026, 11, 23, 18, tzinfo=SHANGHAI),
        "window_end": datetime(2026, 11, 23, 19, tzinfo=SHANGHAI),
    }
    kept = [
        FollowUpFactory(order__customer__store=store, status=status, suppressed_reason=reason, **tonight)
        for status, reason in (("in_progress", ""), ("done", ""), ("suppressed", "no_calls"), ("failed", ""))
    ]
    kept.append(
        FollowUpFactory(
            order__customer__store=store,
            channel="sms",
            status="sent",
            window_start=datetime(2026, 11, 23, 9, tzinfo=SHANGHAI),
            window_end=datetime(2026, 11, 23, 21, tzinfo=SHANGHAI),
        )
    )
    yesterday = FollowUpFactory(
        order__customer__store=store,
        window_start=datetime(2026, 11, 22, 18, tzinfo=SHANGHAI),
        window_end=datetime(2026, 11, 22, 19, tzinfo=SHANGHAI),
    )
    before = {f.pk: (f.window_start, f.window_end, f.contact_day) for f in [*kept, yesterday]}

    _move(store)

    after = {f.pk: (f.window_start, f.window_end, f.contact_day) for f in FollowUp.objects.filter(pk__in=before)}
    assert after == before


def test_changing_nothing_moves_nothing(store):
    followup = deliver(OrderFactory(customer__store=store), datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI))
    window = _window(followup)

    _move(store, "Asia/Shanghai")

    assert _window(followup) == window


def test_the_admins_store_form_moves_the_stores_evening_calls(admin_client, store):
    followup = deliver(OrderFactory(customer__store=store), datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI))
    form = store_form(store, timezone="Europe/Berlin", agent_remedy_limit="200.00", currency="CNY")

    with time_machine.travel(NOW, tick=False):
        answer = admin_client.post(f"/admin/crm/store/{store.pk}/change/", form)

    assert answer.status_code == 302
    assert _window(followup) == (datetime(2026, 11, 23, 18, tzinfo=BERLIN), datetime(2026, 11, 23, 19, tzinfo=BERLIN))
