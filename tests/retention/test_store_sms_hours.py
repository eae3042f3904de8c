"""A store narrowing its SMS sending hours while an SMS campaign runs.

The campaign's messages waited for a moment in both the campaign's sending hours and the store's: where none was left
(the store's new hours end before the campaign's begin), the sweeper put them off from the store's opening to the
campaign's and back, day after day, until the campaign ended; nobody was told. Now the policy page warns on saving,
naming each campaign and what becomes of its messages; messages the store's hours leave no time for before the
campaign ends are withdrawn with that reason (ADR 0044); the campaign page says how many wait for the store's hours,
and why. Hours that would withdraw messages are saved only once the manager (or the admin) confirms how many, after
being told of which campaigns (ADR 0046).
"""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from callbacks.models import FollowUpPolicy
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.policy import policy_update
from crm.errors import InvalidInput
from retention.models import Campaign, CampaignContact
from retention.services.campaigns import campaign_start
from tests.policy_forms import policy_admin_form
from tests.reports.test_policy import _followup_post
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import campaign_for, everyone

pytestmark = pytest.mark.django_db


def _running(store, count: int = 3, **hours) -> Campaign:
    for _ in range(count):
        customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), name="秋季回访", **hours)
    campaign_start(campaign=campaign)
    return campaign


def _statuses(campaign) -> set[tuple[str, str]]:
    return set(CampaignContact.objects.filter(campaign=campaign).values_list("status", "excluded_reason"))


def _narrow(client, store, **extra):
    post = _followup_post(store, sms_send_from="09:00", sms_send_until="12:00", **extra)
    return client.post("/manager/policy/followup/", post, follow=True, HTTP_ACCEPT_LANGUAGE="en")


def _hours(store) -> tuple[time, time]:
    policy = FollowUpPolicy.objects.get(store=store)
    return policy.sms_send_from, policy.sms_send_until


def test_narrower_hours_that_would_withdraw_campaign_messages_are_not_saved_until_the_manager_confirms(
    manager_client,
):
    store, client = manager_client
    campaign = _running(store, send_from=time(14, 0), send_until=time(20, 0))

    asked = _narrow(client, store)

    assert asked.status_code == 409  # WithdrawalsNotConfirmed: a conflict, asked on the form
    page = asked.content.decode()
    assert 'data-testid="withdrawals-confirm"' in page
    assert "Nothing was saved" in page and "3 messages" in page and "秋季回访" in page
    assert 'name="confirm_withdrawals" value="3"' in page
    assert _hours(store) == (time(9, 0), time(21, 0))
    assert _statuses(campaign) == {("planned", "")}

    answer = _narrow(client, store, confirm_withdrawals="3")

    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-testid="withdrawals-confirm"' not in page
    assert 'data-testid="campaign-hours-warning"' in page
    assert "秋季回访" in page and "14:00" in page and "3 messages not yet sent were withdrawn" in page
    assert _hours(store) == (time(9, 0), time(12, 0))
    assert _statuses(campaign) == {("suppressed", "store_sms_hours")}
    detail = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = detail.content.decode()
    assert "Outside the store&#x27;s SMS hours until the campaign ends: 3" in text
    assert 'data-testid="store-hours-notice"' in text and "09:00" in text and "12:00" in text


def test_a_confirmation_for_fewer_messages_than_the_hours_now_withdraw_asks_again(manager_client):
    # Confirmed for the 3 messages shown, while a second campaign started: its messages were never shown.
    store, client = manager_client
    first = _running(store, send_from=time(14, 0), send_until=time(20, 0))
    second = campaign_for(store, first.segment, name="冬季上新", send_from=time(13, 0), send_until=time(19, 0))
    campaign_start(campaign=second)

    asked = _narrow(client, store, confirm_withdrawals="3")

    page = asked.content.decode()
    assert asked.status_code == 409  # WithdrawalsNotConfirmed: a conflict, asked on the form
    assert "6 planned contacts" in page and "“秋季回访”: 3 messages" in page and "“冬季上新”: 3 messages" in page
    assert 'name="confirm_withdrawals" value="6"' in page
    assert _hours(store) == (time(9, 0), time(21, 0))
    assert _statuses(first) == _statuses(second) == {("planned", "")}


def test_a_confirmation_for_another_number_than_shown_is_refused_and_asks_to_review_again(manager_client):
    # The box posts the number shown (3); a number typed by hand (999, or 2) saved as long as it was not fewer than
    # what would go: the manager confirmed something else than what the change withdraws.
    store, client = manager_client
    campaign = _running(store, send_from=time(14, 0), send_until=time(20, 0))

    for posted in ("999", "4", "2"):
        refused = _narrow(client, store, confirm_withdrawals=posted)

        page = refused.content.decode()
        assert refused.status_code == 409
        assert f"changed since you were asked (you confirmed {posted})" in page and "3 planned contacts" in page
        assert "Review them" in page and 'name="confirm_withdrawals" value="3"' in page
        assert _hours(store) == (time(9, 0), time(21, 0))
        assert _statuses(campaign) == {("planned", "")}

    post = _followup_post(store, sms_send_from="09:00", sms_send_until="12:00", confirm_withdrawals="999")
    chinese = client.post("/manager/policy/followup/", post, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "您确认的是 999 项" in chinese and "请重新查看" in chinese
    assert _narrow(client, store, confirm_withdrawals="3").status_code == 200
    assert _hours(store) == (time(9, 0), time(12, 0))


def test_the_confirmation_is_in_chinese_for_a_chinese_manager(manager_client):
    store, client = manager_client
    _running(store, send_from=time(14, 0), send_until=time(20, 0))

    post = _followup_post(store, sms_send_from="09:00", sms_send_until="12:00")
    asked = client.post("/manager/policy/followup/", post, HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = asked.content.decode()
    assert asked.status_code == 409  # WithdrawalsNotConfirmed: a conflict, asked on the form
    assert "未保存" in page and "3 条" in page and "秋季回访" in page and "撤回这些活动短信" in page


def test_narrower_hours_in_the_admin_are_not_saved_until_the_admin_confirms_the_withdrawals(
    admin_client, manager_client
):
    store, _client = manager_client
    campaign = _running(store, send_from=time(14, 0), send_until=time(20, 0))
    policy = FollowUpPolicy.objects.get(store=store)
    url = f"/admin/callbacks/followuppolicy/{policy.pk}/change/"

    asked = admin_client.post(url, policy_admin_form(store, sms_send_from="09:00", sms_send_until="12:00"))

    assert asked.status_code == 200  # the admin shows the form again with the question
    page = asked.content.decode()
    assert "Nothing was saved" in page and "3 messages" in page and "秋季回访" in page
    assert 'name="confirm_withdrawals" value="3"' in page
    assert _hours(store) == (time(9, 0), time(21, 0))
    assert _statuses(campaign) == {("planned", "")}

    answer = admin_client.post(
        url, policy_admin_form(store, sms_send_from="09:00", sms_send_until="12:00", confirm_withdrawals="3")
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert _hours(store) == (time(9, 0), time(12, 0))
    assert _statuses(campaign) == {("suppressed", "store_sms_hours")}


def test_narrower_hours_that_still_meet_a_campaigns_hours_keep_its_messages_waiting_and_say_how_many(manager_client):
    store, client = manager_client
    campaign = _running(store)  # 09:00-21:00, sending now (around noon in the store)

    answer = client.post("/manager/policy/followup/", _followup_post(store, sms_send_from="13:00",
                                                                     sms_send_until="15:00"), follow=True)  # fmt: skip

    page = answer.content.decode()
    assert 'data-testid="campaign-hours-warning"' in page
    assert "秋季回访" in page and "now go out only between 13:00 and 15:00" in page
    assert _statuses(campaign) == {("planned", "")}
    detail = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = detail.content.decode()
    assert 'data-testid="store-hours-notice"' in text
    assert "now go out only between 13:00 and 15:00. 3 messages wait for them." in text


def test_hours_that_take_in_every_campaign_warn_of_nothing(manager_client):
    store, client = manager_client
    _running(store, send_from=time(10, 0), send_until=time(20, 0))

    answer = client.post("/manager/policy/followup/", _followup_post(store, sms_send_from="10:00",
                                                                     sms_send_until="20:00"), follow=True)  # fmt: skip

    assert 'data-testid="campaign-hours-warning"' not in answer.content.decode()


def test_the_sweeper_withdraws_messages_the_stores_hours_leave_no_time_for_instead_of_putting_them_off(
    manager_client,
):
    # Hours the store's receiver did not see the change of (written around the policy service, or rows planned after
    # it, as a birthday wish is): the sweeper itself withdraws them rather than put them off to the campaign's end.
    store, _client = manager_client
    campaign = _running(store, send_from=time(14, 0), send_until=time(20, 0))
    FollowUpPolicy.objects.filter(store=store).update(sms_send_from=time(9, 0), sms_send_until=time(12, 0))
    CampaignContact.objects.update(due_at=timezone.now() - timedelta(minutes=1))

    sms_dispatch_due(time_budget=5)

    assert _statuses(campaign) == {("suppressed", "store_sms_hours")}


def test_a_campaign_whose_hours_the_store_no_longer_sends_in_cannot_start(manager_client):
    store, _client = manager_client
    for _ in range(2):
        customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), send_from=time(14, 0), send_until=time(20, 0))
    policy_update(store=store, actor=None, changes={"sms_send_from": time(9, 0), "sms_send_until": time(12, 0)})

    with pytest.raises(InvalidInput) as refused:
        campaign_start(campaign=campaign)

    assert refused.value.field == "send_from"
    assert not CampaignContact.objects.exists()
