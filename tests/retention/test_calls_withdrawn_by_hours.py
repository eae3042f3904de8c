"""New call hours or a closure that would take back return-visit calls (ADR 0035: a call moved past its campaign's end
is withdrawn) are saved only once the manager confirms how many, as narrower SMS hours are (ADR 0046): the policy page,
the closures on it, the admin, and the services (409 `withdrawals_not_confirmed`) ask the same question.
"""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.services.policy import policy_update
from crm.models import AuditLog, StoreClosure
from crm.services.closures import store_closure_add
from crm.timezones import store_today
from crm.withdrawals import WithdrawalsNotConfirmed
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory, ManagerFactory
from tests.policy_forms import policy_admin_form
from tests.reports.test_policy import _followup_post

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    store = open_store(name="丝韵旗舰店")
    AgentFactory(stores=[store], on_shift=True)
    return store


@pytest.fixture
def manager(store):
    client = Client()
    client.force_login(ManagerFactory(stores=[store]).user)
    return client


def _visits(store, *, ends_in: timedelta, count: int = 2, name: str = "秋季回访"):
    """`count` return visits of a call campaign ending in `ends_in`, in today's call hours (the store's noon)."""
    for _ in range(count):
        customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), channel="call", ends_at=timezone.now() + ends_in, name=name)
    campaign_start(campaign=campaign)
    assert campaign_call_tasks_create().created == count
    return campaign


def _statuses(campaign) -> set[tuple[str, str, str]]:
    rows = CampaignContact.objects.filter(campaign=campaign).select_related("call_task")
    return {(row.status, row.excluded_reason, row.call_task.status) for row in rows}


WAITING = {("planned", "", "planned")}
WITHDRAWN = {("suppressed", "past_campaign_end", "suppressed")}


def _call_hours(store) -> time:
    return FollowUpPolicy.objects.get(store=store).call_hours_from


def _close(store, days: int, **confirmed):
    today = store_today(store)
    return store_closure_add(
        store=store, actor=None, name="盘点", first_day=today, last_day=today + timedelta(days=days), **confirmed
    )


# -- the services -----------------------------------------------------------------------------------------------------
def test_later_call_hours_that_would_withdraw_return_visits_are_not_saved_until_confirmed(store):
    # Ends this afternoon (the store's 14:xx): call hours from 16:00 place today's visits after it.
    campaign = _visits(store, ends_in=timedelta(hours=2))

    with pytest.raises(WithdrawalsNotConfirmed) as asked:
        policy_update(store=store, actor=None, changes={"call_hours_from": time(16, 0)})

    assert (asked.value.code, asked.value.http_status, asked.value.total) == ("withdrawals_not_confirmed", 409, 2)
    assert asked.value.details["campaigns"] == [{"name": "秋季回访", "messages": 0, "calls": 2}]
    assert _call_hours(store) == time(9, 0) and _statuses(campaign) == WAITING

    policy_update(store=store, actor=None, changes={"call_hours_from": time(16, 0)}, withdrawals_confirmed=2)

    assert _call_hours(store) == time(16, 0) and _statuses(campaign) == WITHDRAWN


def test_a_closure_that_would_withdraw_return_visits_is_not_recorded_until_confirmed(store):
    campaign = _visits(store, ends_in=timedelta(days=2))

    with pytest.raises(WithdrawalsNotConfirmed) as asked:
        _close(store, 3)
    assert asked.value.total == 2 and "秋季回访" in asked.value.message
    with pytest.raises(WithdrawalsNotConfirmed):
        _close(store, 3, withdrawals_confirmed=1)  # fewer than would go: asked again
    assert not StoreClosure.objects.exists() and _statuses(campaign) == WAITING

    _close(store, 3, withdrawals_confirmed=2)

    assert StoreClosure.objects.count() == 1 and _statuses(campaign) == WITHDRAWN
    added = AuditLog.objects.get(store=store, action="store_closure_added")
    assert added.data["campaign_contacts_withdrawn"] == 2


def test_a_closure_or_call_hours_that_only_move_return_visits_within_their_campaign_ask_nothing(store):
    campaign = _visits(store, ends_in=timedelta(days=7))

    _close(store, 1)
    policy_update(store=store, actor=None, changes={"call_hours_from": time(16, 0)})

    assert _statuses(campaign) == WAITING
    assert FollowUp.objects.filter(purpose="return_visit", contact_day=store_today(store) + timedelta(days=2)).count()


# -- the policy page --------------------------------------------------------------------------------------------------
def _closure_post(store, **extra):
    today = store_today(store)
    return {"store": store.code, "name": "盘点", "first_day": today, "last_day": today + timedelta(days=3), **extra}


def test_the_policy_page_asks_before_new_call_hours_withdraw_return_visits(store, manager):
    campaign = _visits(store, ends_in=timedelta(hours=2))

    asked = manager.post(
        "/manager/policy/followup/", _followup_post(store, call_hours_from="16:00"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert asked.status_code == 409  # WithdrawalsNotConfirmed: a conflict, asked on the form
    page = asked.text
    assert 'data-testid="withdrawals-confirm"' in page and "Nothing was saved" in page
    assert "“秋季回访”: 2 return-visit calls" in page and 'name="confirm_withdrawals" value="2"' in page
    assert _call_hours(store) == time(9, 0) and _statuses(campaign) == WAITING

    answer = manager.post(
        "/manager/policy/followup/", _followup_post(store, call_hours_from="16:00", confirm_withdrawals="2")
    )

    assert answer.status_code == 302
    assert _call_hours(store) == time(16, 0) and _statuses(campaign) == WITHDRAWN


def test_the_policy_page_asks_before_a_closure_withdraws_return_visits_in_chinese(store, manager):
    campaign = _visits(store, ends_in=timedelta(days=2))

    asked = manager.post("/manager/policy/closure/", _closure_post(store), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert asked.status_code == 409  # WithdrawalsNotConfirmed: a conflict, asked on the form
    page = asked.text
    closures = page[page.index('id="closures"') :]
    assert 'data-testid="closure-withdrawals-confirm"' in closures
    assert "未保存" in closures and "“秋季回访”：2 通回访电话" in closures
    assert 'name="confirm_withdrawals" value="2"' in closures
    assert not StoreClosure.objects.exists() and _statuses(campaign) == WAITING

    answer = manager.post("/manager/policy/closure/", _closure_post(store, confirm_withdrawals="2"))

    assert answer.status_code == 302
    assert StoreClosure.objects.count() == 1 and _statuses(campaign) == WITHDRAWN


# -- the admin --------------------------------------------------------------------------------------------------------
def test_the_admin_asks_before_a_closure_withdraws_return_visits(store, admin_client):
    campaign = _visits(store, ends_in=timedelta(days=2))
    today = store_today(store)
    form = {"store": store.pk, "name": "盘点", "first_day": today, "last_day": today + timedelta(days=3)}

    asked = admin_client.post("/admin/crm/storeclosure/add/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert asked.status_code == 200  # the form again, with the question
    assert "Nothing was saved" in asked.text and "2 return-visit calls" in asked.text
    assert 'name="confirm_withdrawals" value="2"' in asked.text
    assert not StoreClosure.objects.exists() and _statuses(campaign) == WAITING

    answer = admin_client.post("/admin/crm/storeclosure/add/", {**form, "confirm_withdrawals": "2"})

    assert answer.status_code == 302, answer.text[:2000]
    assert StoreClosure.objects.count() == 1 and _statuses(campaign) == WITHDRAWN


def test_the_admin_asks_before_new_call_hours_withdraw_return_visits(store, admin_client):
    campaign = _visits(store, ends_in=timedelta(hours=2))
    url = f"/admin/callbacks/followuppolicy/{FollowUpPolicy.objects.get(store=store).pk}/change/"

    asked = admin_client.post(url, policy_admin_form(store, call_hours_from="16:00"), HTTP_ACCEPT_LANGUAGE="en")

    assert asked.status_code == 200
    assert "2 return-visit calls" in asked.text and 'name="confirm_withdrawals" value="2"' in asked.text
    assert _call_hours(store) == time(9, 0) and _statuses(campaign) == WAITING

    answer = admin_client.post(url, policy_admin_form(store, call_hours_from="16:00", confirm_withdrawals="2"))

    assert answer.status_code == 302
    assert _call_hours(store) == time(16, 0) and _statuses(campaign) == WITHDRAWN
