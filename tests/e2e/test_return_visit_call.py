"""An agent works a campaign's return-visit calls from the call queue in a real browser, in Chinese: the task in
the daytime section, the campaign's script on the panel, click to call, "interested", then a complaint that
opens a case; both land on the campaign's rows."""

import pytest
from playwright.sync_api import expect

from callbacks.models import FollowUp
from crm.models import Case
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import campaign_for, everyone, open_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_works_return_visit_calls_from_the_call_queue(new_page):
    store = open_store(name="丝韵旗舰店", manager_hotline="+86 400 820 8820")
    AgentFactory(user__username="lin", user__first_name="小林", stores=[store], phone="+8613900000001")
    interested = customer_with_orders(store, [120, 40], amount="3200.00", name="王芳")
    unhappy = customer_with_orders(store, [90, 30], amount="1800.00", name="李娜")
    wording = "{name}您好，{store}新到了春季真丝围巾，老客户{offer}。"
    campaign = campaign_for(store, everyone(store), channel="call", control_percent=0, wordings=[wording])
    campaign_start(campaign=campaign)
    assert campaign_call_tasks_create().created == 2
    first, second = (FollowUp.objects.get(purpose="return_visit", customer=c) for c in (interested, unhappy))

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.get_by_test_id("nav-calls").click()
    today = page.get_by_test_id("queue-today")
    expect(today.get_by_test_id("queue-row")).to_have_count(2)
    expect(today.get_by_test_id("queue-row").first).to_contain_text("王芳")
    expect(today.get_by_test_id("queue-row").first).to_contain_text("回访")
    today.get_by_test_id("queue-row").first.get_by_role("link", name="打开").click()
    page.wait_for_url(f"**/calls/{first.pk}/")
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("task-note")).to_contain_text(campaign.name)
    expect(page.get_by_test_id("script")).to_contain_text("王芳您好，丝韵旗舰店新到了春季真丝围巾，老客户满300减50元。")
    outcomes = page.get_by_test_id("outcome-form")
    expect(outcomes.get_by_role("button", name="已接通，满意")).to_have_count(0)  # not a care call
    page.get_by_test_id("call").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "queued")
    screenshot(page, "return-visit-panel-zh")
    outcomes.get_by_role("button", name="有兴趣").click()
    confirmed = page.get_by_test_id("outcome-confirmed")
    expect(confirmed).to_contain_text("有兴趣")
    expect(confirmed).to_contain_text("王芳")

    page.get_by_test_id("next-call").click()
    page.wait_for_url(f"**/calls/{second.pk}/")
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("script")).to_contain_text("李娜您好")
    page.get_by_label("原因").select_option("quality")
    page.get_by_label("备注").fill("上次的围巾洗了一次就起球")
    page.get_by_role("button", name="投诉", exact=True).click()
    expect(page.get_by_test_id("outcome-confirmed")).to_contain_text("服务工单")

    case = Case.objects.get()
    assert (case.customer, case.source, case.cause, case.order) == (unhappy, "return_visit", "quality", second.order)
    rows = {row.customer_id: row for row in CampaignContact.objects.filter(campaign=campaign)}
    assert (rows[interested.pk].status, rows[interested.pk].outcome) == ("done", "interested")
    assert (rows[unhappy.pk].status, rows[unhappy.pk].outcome) == ("done", "complaint")
    assert first.pk != second.pk
