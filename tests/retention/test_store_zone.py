"""A store moved from Shanghai to Berlin: its campaigns ran on Shanghai's calendar (a campaign the manager wrote to
start on the 25th at 10:00 store time started at 03:00 Berlin time), and messages held for the campaign's sending
hours waited for Shanghai's morning. Now the schedules still to come and the rows they hold follow the store."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUpPolicy
from crm.services.stores import store_timezone_change
from retention.models import Campaign, CampaignContact, RetentionPolicy
from retention.selectors import campaigns_held_by_store_hours
from retention.services.birthdays import birthday_wishes_plan
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory, StoreFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone

pytestmark = pytest.mark.django_db

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


def _move(store, at):
    with time_machine.travel(at, tick=False):
        store_timezone_change(store=store, zone="Europe/Berlin", actor=None)
    store.refresh_from_db()


def _started(store, at, **schedule):
    with time_machine.travel(at, tick=False):
        customer_with_orders(store, [30])
        campaign = campaign_for(store, everyone(store), send_from=time(10), send_until=time(20), **schedule)
        campaign_start(campaign=campaign)
    return campaign


def test_a_campaign_still_to_start_keeps_its_schedule_in_store_time(store):
    campaign = _started(
        store,
        datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        starts_at=datetime(2026, 11, 25, 10, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 11, 30, 20, tzinfo=SHANGHAI),
    )
    row = CampaignContact.objects.get(campaign=campaign)
    assert row.due_at == datetime(2026, 11, 25, 10, tzinfo=SHANGHAI)

    _move(store, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    campaign.refresh_from_db()
    row.refresh_from_db()
    assert (campaign.starts_at, campaign.ends_at) == (
        datetime(2026, 11, 25, 10, tzinfo=BERLIN),
        datetime(2026, 11, 30, 20, tzinfo=BERLIN),
    )
    assert row.due_at == datetime(2026, 11, 25, 10, tzinfo=BERLIN)


def test_a_message_held_for_the_shanghai_morning_goes_at_once_in_the_berlin_afternoon(store):
    evening = datetime(2026, 11, 23, 20, 30, tzinfo=SHANGHAI)  # after the campaign's 10:00-20:00
    campaign = _started(store, evening, starts_at=evening, ends_at=evening + timedelta(days=7))
    row = CampaignContact.objects.get(campaign=campaign)
    assert row.due_at == datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)
    moved_at = datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)  # 21:00 in Shanghai

    _move(store, moved_at)

    row.refresh_from_db()
    assert row.due_at == moved_at


def test_the_years_birthday_campaign_runs_to_the_new_zones_new_year_and_its_held_wishes_go_in_its_hours(store):
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    night = datetime(2026, 11, 23, 21, 0, tzinfo=SHANGHAI)  # 14:00 in Berlin
    customer_with_orders(store, [30], birthday=date(1990, 11, 26))
    with time_machine.travel(night, tick=False):
        assert birthday_wishes_plan(store=store) == 1
    wish = CampaignContact.objects.get()
    assert wish.due_at == datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)

    _move(store, datetime(2026, 11, 23, 22, 0, tzinfo=SHANGHAI))  # 15:00 in Berlin

    campaign = Campaign.objects.get(system_key="birthday:2026")
    assert (campaign.starts_at, campaign.ends_at) == (
        datetime(2026, 1, 1, tzinfo=SHANGHAI),  # past: as it began
        datetime(2027, 1, 1, tzinfo=BERLIN),
    )
    wish.refresh_from_db()
    assert wish.due_at == datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)


def test_a_finished_campaign_and_a_message_already_due_stay_as_they_were(store):
    running = _started(
        store,
        datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI),
        starts_at=datetime(2026, 11, 23, 11, 55, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 11, 30, 20, tzinfo=SHANGHAI),
    )
    due = CampaignContact.objects.get(campaign=running)
    assert due.due_at == datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)
    Campaign.objects.filter(pk=running.pk).update(status=Campaign.Status.FINISHED)
    finished = (running.starts_at, running.ends_at)

    _move(store, datetime(2026, 11, 23, 13, 0, tzinfo=SHANGHAI))

    running.refresh_from_db()
    due.refresh_from_db()
    assert (running.starts_at, running.ends_at) == finished
    assert due.due_at == datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def test_a_return_visit_row_shows_its_call_tasks_new_window(store):
    AgentFactory(stores=[store])
    morning = datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)  # 04:00 in Berlin
    campaign = _started(store, morning, channel="call", starts_at=morning, ends_at=morning + timedelta(days=7))
    with time_machine.travel(morning, tick=False):
        assert campaign_call_tasks_create().created == 1
    row = CampaignContact.objects.select_related("call_task").get(campaign=campaign)
    assert row.call_task.window_start == datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)

    _move(store, morning)

    # The row keeps no copy of the call's time: it is shown at its task's window (tests/retention/test_visit_times.py).
    row.call_task.refresh_from_db()
    assert row.call_task.window_start == datetime(2026, 11, 23, 9, tzinfo=BERLIN)


def test_a_return_visit_the_new_zone_moves_past_its_campaigns_end_is_withdrawn_with_the_reason(store):
    """A store moving east finds today's call hours over in its new zone: its return visits go to tomorrow's. The
    campaign ending tonight (its end kept at the same wall time, ADR 0029) is over by then, and its offer with it, but
    the call stayed planned and was made. It is taken back as a closure's is (ADR 0035), and the page says why."""
    AUCKLAND = ZoneInfo("Pacific/Auckland")  # 13 hours ahead of UTC in November, 5 ahead of Shanghai
    AgentFactory(stores=[store])
    morning = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    campaign = _started(
        store, morning, channel="call", starts_at=morning, ends_at=datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI)
    )
    with time_machine.travel(morning, tick=False):
        assert campaign_call_tasks_create().created == 1
    row = CampaignContact.objects.select_related("call_task").get(campaign=campaign)
    task = row.call_task
    assert task.window_start == datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)

    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI), tick=False):  # 21:00 in Auckland
        store_timezone_change(store=store, zone="Pacific/Auckland", actor=None, withdrawals_confirmed=1)

    campaign.refresh_from_db()
    task.refresh_from_db()
    row.refresh_from_db()
    assert campaign.ends_at == datetime(2026, 11, 23, 23, 30, tzinfo=AUCKLAND)
    assert task.window_start >= campaign.ends_at  # tomorrow's call hours in Auckland
    assert (task.status, task.suppressed_reason) == ("suppressed", "past_campaign_end")
    assert (row.status, row.excluded_reason) == ("suppressed", "past_campaign_end")


def test_a_return_visit_the_new_zone_keeps_within_its_campaign_is_still_called(store):
    AgentFactory(stores=[store])
    morning = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    campaign = _started(store, morning, channel="call", starts_at=morning, ends_at=morning + timedelta(days=7))
    with time_machine.travel(morning, tick=False):
        assert campaign_call_tasks_create().created == 1

    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI), tick=False):
        store_timezone_change(store=store, zone="Pacific/Auckland", actor=None)

    row = CampaignContact.objects.select_related("call_task").get(campaign=campaign)
    assert row.call_task.window_start == datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert (row.status, row.call_task.status) == ("planned", "planned")


def test_a_message_the_new_zone_moves_past_its_campaigns_end_is_withdrawn_with_the_reason(store):
    """A store moving east at 16:00 in Shanghai (21:00 in Auckland) finds its campaign's sending hours (10:00-20:00)
    over for today in its new zone: the messages held for its 17:00 start go to tomorrow's 10:00, after the campaign
    ending tonight at 23:30. They waited on the campaign page as if still to go, until the sweeper dropped them as
    ended. They are withdrawn with the zone change, as its return visits are, and the page says why."""
    AUCKLAND = ZoneInfo("Pacific/Auckland")
    campaign = _started(
        store,
        datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI),
        starts_at=datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI),
    )
    row = CampaignContact.objects.get(campaign=campaign)
    assert (row.status, row.due_at) == ("planned", datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI))

    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI), tick=False):
        store_timezone_change(store=store, zone="Pacific/Auckland", actor=None, withdrawals_confirmed=1)

    campaign.refresh_from_db()
    row.refresh_from_db()
    assert campaign.ends_at == datetime(2026, 11, 23, 23, 30, tzinfo=AUCKLAND)
    assert (row.status, row.excluded_reason) == ("suppressed", "past_campaign_end")


def test_a_message_the_new_zone_leaves_outside_the_stores_sms_hours_until_the_end_is_withdrawn(store):
    """The store sends SMS only 09:00-12:00; a campaign of 10:00-20:00 starting at 11:00 and ending tonight had its
    messages go at 11:00. Moved east at 10:00 in Shanghai (15:00 in Auckland), the store's hours are over for today
    while the campaign's are not: its messages can no longer go before it ends, as when the store narrows its hours
    (ADR 0044). They are withdrawn then, not left waiting, and the policy page's warning counts them."""
    campaign = _started(
        store,
        datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
        starts_at=datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI),
    )
    FollowUpPolicy.objects.create(store=store, sms_send_from=time(9), sms_send_until=time(12))  # narrowed since
    row = CampaignContact.objects.get(campaign=campaign)
    assert (row.status, row.due_at) == ("planned", datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI))
    moved_at = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)

    with time_machine.travel(moved_at, tick=False):
        store_timezone_change(store=store, zone="Pacific/Auckland", actor=None, withdrawals_confirmed=1)
        store.refresh_from_db()
        (hold,) = campaigns_held_by_store_hours(store=store)

    row.refresh_from_db()
    assert (row.status, row.excluded_reason) == ("suppressed", "store_sms_hours")
    assert (hold.goes, hold.waiting, hold.withdrawn) == (False, 0, 1)


def test_a_message_the_new_zone_keeps_within_its_campaign_still_waits(store):
    campaign = _started(
        store,
        datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI),
        starts_at=datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 11, 25, 23, 30, tzinfo=SHANGHAI),
    )

    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI), tick=False):
        store_timezone_change(store=store, zone="Pacific/Auckland", actor=None)

    row = CampaignContact.objects.get(campaign=campaign)
    assert (row.status, row.due_at) == ("planned", datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Pacific/Auckland")))
