"""A time zone change that would withdraw contacts of running campaigns is saved only once the operator confirms how
many, as new hours and closures are (ADR 0046, ADR 0029).

A store moving east (Shanghai to Auckland, five hours ahead) at 16:00 in Shanghai (21:00 in Auckland) finds today's
call hours and its campaigns' sending hours over: return visits go to tomorrow's call hours and messages to tomorrow's
10:00, both after campaigns ending tonight at 23:30 (their end kept at the same wall time). The admin's store form
saved that at once and withdrew them without a question; now the change asks first, and withdraws what it showed.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.models import FollowUpPolicy
from crm.models import AuditLog, Store
from crm.services.stores import store_timezone_change
from crm.withdrawals import WithdrawalsNotConfirmed
from retention.models import Campaign, CampaignContact, Segment
from retention.services.campaigns import campaign_start
from retention.services.segments import attributes_refresh
from retention.services.visits import campaign_call_tasks_create
from tests.admin_stores import store_form
from tests.factories import AgentFactory, StoreFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone

pytestmark = pytest.mark.django_db

SHANGHAI, AUCKLAND = ZoneInfo("Asia/Shanghai"), ZoneInfo("Pacific/Auckland")
MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
MOVED_AT = datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI)  # 21:00 in Auckland
TONIGHT = datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI)


def _buyers(store) -> Segment:
    """The store's segment of every buyer, its customers counted again."""
    attributes_refresh(store=store)
    return Segment.objects.filter(store=store, name="buyers").first() or everyone(store)


@pytest.fixture
def store():
    store = StoreFactory(timezone="Asia/Shanghai")
    AgentFactory(stores=[store])
    return store


def _visits(store, count: int = 2, name: str = "秋季回访") -> Campaign:
    """`count` return visits of a call campaign ending tonight, in today's call hours."""
    with time_machine.travel(MORNING, tick=False):
        for _ in range(count):
            customer_with_orders(store, [30])
        campaign = campaign_for(
            store, _buyers(store), channel="call", starts_at=MORNING, ends_at=TONIGHT, name=name,
            send_from=time(10), send_until=time(20),
        )  # fmt: skip
        campaign_start(campaign=campaign)
        assert campaign_call_tasks_create().created == count
    return campaign


def _messages(store, name: str = "冬季问候", at=MORNING) -> Campaign:
    """The messages of an SMS campaign from 17:00 to tonight, one per customer of the store, held for its start."""
    with time_machine.travel(at, tick=False):
        customer_with_orders(store, [30])
        campaign = campaign_for(
            store, _buyers(store), starts_at=datetime(2026, 11, 23, 17, 0, tzinfo=SHANGHAI), ends_at=TONIGHT,
            name=name, send_from=time(10), send_until=time(20),
        )  # fmt: skip
        campaign_start(campaign=campaign)
    return campaign


def _statuses(campaign) -> set[tuple[str, str]]:
    return set(CampaignContact.objects.filter(campaign=campaign).values_list("status", "excluded_reason"))


WAITING = {("planned", "")}
PAST_END = {("suppressed", "past_campaign_end")}


def _move(store, **confirmed):
    with time_machine.travel(MOVED_AT, tick=False):
        return store_timezone_change(store=store, zone="Pacific/Auckland", actor=None, **confirmed)


def _zone(store) -> str:
    return Store.objects.get(pk=store.pk).timezone


# -- the service ------------------------------------------------------------------------------------------------------
def test_a_zone_change_that_would_withdraw_return_visits_and_messages_is_not_saved_until_confirmed(store):
    visits = _visits(store)
    messages = _messages(store)  # the three customers get one each
    tasks = dict(CampaignContact.objects.filter(campaign=visits).values_list("pk", "call_task__window_start"))

    with pytest.raises(WithdrawalsNotConfirmed) as asked:
        _move(store)

    assert (asked.value.code, asked.value.http_status, asked.value.total) == ("withdrawals_not_confirmed", 409, 5)
    assert asked.value.details["campaigns"] == [
        {"name": "冬季问候", "messages": 3, "calls": 0},
        {"name": "秋季回访", "messages": 0, "calls": 2},
    ]
    assert "秋季回访" in asked.value.message and "冬季问候" in asked.value.message
    # Nothing was changed by asking: the zone, the campaign's end, the calls' windows, the rows.
    assert _zone(store) == "Asia/Shanghai"
    visits.refresh_from_db()
    assert visits.ends_at == TONIGHT
    assert dict(CampaignContact.objects.filter(campaign=visits).values_list("pk", "call_task__window_start")) == tasks
    assert _statuses(visits) == WAITING and _statuses(messages) == WAITING
    assert not AuditLog.objects.filter(action="store_timezone_changed").exists()

    _move(store, withdrawals_confirmed=5)

    assert _zone(store) == "Pacific/Auckland"
    assert _statuses(visits) == PAST_END and _statuses(messages) == PAST_END
    entry = AuditLog.objects.get(action="store_timezone_changed")
    assert entry.data["campaign_contacts_withdrawn"] == 5


def test_a_confirmation_for_fewer_contacts_than_the_change_now_withdraws_asks_again(store):
    """A campaign started between the question and the confirmation: the confirmation was for what was shown."""
    visits = _visits(store)
    with pytest.raises(WithdrawalsNotConfirmed) as asked:
        _move(store)
    assert asked.value.total == 2
    messages = _messages(store, at=MOVED_AT.replace(minute=0, hour=15))

    with pytest.raises(WithdrawalsNotConfirmed) as again:
        _move(store, withdrawals_confirmed=2)

    assert again.value.total == 5
    assert _zone(store) == "Asia/Shanghai" and _statuses(visits) == WAITING and _statuses(messages) == WAITING

    _move(store, withdrawals_confirmed=5)

    assert _statuses(visits) == PAST_END and _statuses(messages) == PAST_END


def test_a_zone_change_that_keeps_every_contact_within_its_campaign_asks_nothing(store):
    visits = _visits(store)
    visits.ends_at = datetime(2026, 11, 30, 20, 0, tzinfo=SHANGHAI)
    visits.save(update_fields=["ends_at"])

    _move(store)

    assert _zone(store) == "Pacific/Auckland" and _statuses(visits) == WAITING
    entry = AuditLog.objects.get(action="store_timezone_changed")
    assert "campaign_contacts_withdrawn" not in entry.data


# -- the admin's store form -------------------------------------------------------------------------------------------
def _store_form(store, **extra):
    return store_form(store, timezone="Pacific/Auckland", agent_remedy_limit="200.00", currency="CNY", **extra)


def _post(client, store, language="en", **extra):
    with time_machine.travel(MOVED_AT, tick=False):
        return client.post(
            f"/admin/crm/store/{store.pk}/change/", _store_form(store, **extra), HTTP_ACCEPT_LANGUAGE=language
        )


def test_the_admins_store_form_asks_before_a_new_zone_withdraws_return_visits(admin_client, store):
    visits = _visits(store)

    asked = _post(admin_client, store, name="丝韵旗舰店（奥克兰）")

    assert asked.status_code == 200  # the form again, with the question at the field
    page = asked.text
    assert "Nothing was saved" in page and "“秋季回访”: 2 return-visit calls" in page
    assert 'name="confirm_withdrawals" value="2"' in page
    store.refresh_from_db()
    assert (store.timezone, store.name) == ("Asia/Shanghai", store.name)
    assert store.name != "丝韵旗舰店（奥克兰）" and _statuses(visits) == WAITING

    answer = _post(admin_client, store, name="丝韵旗舰店（奥克兰）", confirm_withdrawals="2")

    assert answer.status_code == 302, answer.text[:2000]
    store.refresh_from_db()
    assert (store.timezone, store.name) == ("Pacific/Auckland", "丝韵旗舰店（奥克兰）")
    assert _statuses(visits) == PAST_END
    assert AuditLog.objects.get(action="store_timezone_changed").data["campaign_contacts_withdrawn"] == 2


def test_the_admins_store_form_asks_in_chinese_for_a_chinese_operator(admin_client, store):
    visits = _visits(store)
    messages = _messages(store)

    asked = _post(admin_client, store, language="zh-hans")

    assert asked.status_code == 200
    page = asked.text
    assert "未保存" in page and "“秋季回访”：2 通回访电话" in page and "“冬季问候”：3 条短信" in page
    assert 'name="confirm_withdrawals" value="5"' in page
    assert _zone(store) == "Asia/Shanghai" and _statuses(visits) == WAITING and _statuses(messages) == WAITING

    too_few = _post(admin_client, store, language="zh-hans", confirm_withdrawals="2")

    assert too_few.status_code == 200 and 'name="confirm_withdrawals" value="5"' in too_few.text
    assert _zone(store) == "Asia/Shanghai"


def test_messages_the_stores_sms_hours_in_the_new_zone_leave_no_time_for_are_asked_about_too(store):
    """The store sends SMS only 09:00-12:00: moved east at 10:00 in Shanghai (15:00 in Auckland), its hours are over
    for today while the campaign's are not (ADR 0044's `store_sms_hours`)."""
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=False):
        customer_with_orders(store, [30])
        campaign = campaign_for(
            store, _buyers(store), starts_at=datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI), ends_at=TONIGHT,
            name="冬季问候", send_from=time(10), send_until=time(20),
        )  # fmt: skip
        campaign_start(campaign=campaign)
    FollowUpPolicy.objects.create(store=store, sms_send_from=time(9), sms_send_until=time(12))  # narrowed since

    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(WithdrawalsNotConfirmed) as asked:
            store_timezone_change(store=store, zone="Pacific/Auckland", actor=None)
        assert asked.value.details["campaigns"] == [{"name": "冬季问候", "messages": 1, "calls": 0}]
        assert _statuses(campaign) == WAITING

        store_timezone_change(store=store, zone="Pacific/Auckland", actor=None, withdrawals_confirmed=1)

    assert _statuses(campaign) == {("suppressed", "store_sms_hours")}
