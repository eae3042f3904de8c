"""A complaint from an evening call worked in a real browser, in Chinese: the agent finds it on the case list,
works the four steps, the chosen option is above the agent's limit so the manager approves it on the case page,
the agent records it carried out and the customer's confirmation, and closes the case with a root cause."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.models import AuditLog, Case
from crm.services.cases import case_open
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_works_a_call_complaint_to_close_and_the_manager_approves_the_chosen_option(new_page):
    store = StoreFactory(
        code="silk-tmall", name="丝韵旗舰店", timezone="Asia/Shanghai", agent_remedy_limit=Decimal("60")
    )
    agent = AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    order = OrderFactory(store=store, customer__store=store, customer__name="王芳", external_id="TM-1001")
    case, _ = case_open(
        store=store,
        customer=order.customer,
        order=order,
        source=Case.Source.CALL,
        cause=Case.Cause.PRICE,
        summary="刚买就降价了",
        actor=agent.user,
        assignee=agent,
    )

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.get_by_test_id("nav-cases").click()
    expect(page.get_by_test_id(f"case-row-{case.pk}")).to_contain_text("王芳")
    page.get_by_test_id("case-search").fill("TM-1001")
    page.get_by_test_id("case-search").press("Enter")
    # The search is a GET form: wait for its page, or the click may land on the row of the page being left.
    page.wait_for_url(re.compile(r"[?&]q=TM-1001"))
    page.get_by_test_id(f"open-case-{case.pk}").click()
    expect(page.get_by_test_id("case-source")).to_contain_text("回访电话")

    page.locator('[name="confirm-customer_asks"]').fill("补差价")
    page.get_by_test_id("mark-confirm").click()
    expect(page.get_by_test_id("step-confirm")).to_have_class("done")
    page.locator('[name="assess-severity"]').select_option("minor")
    page.locator('[name="assess-asked_amount"]').fill("80")
    page.get_by_test_id("mark-assess").click()
    expect(page.get_by_test_id("step-assess")).to_have_class("done")
    negotiate = page.get_by_test_id("form-negotiate")
    negotiate.locator('[name="negotiate-offered"][value="price:coupon"]').check()
    negotiate.locator('[name="negotiate-offered"][value="price:partial_refund"]').check()
    negotiate.locator('[name="negotiate-chosen"]').select_option("price:partial_refund")
    page.get_by_test_id("mark-negotiate").click()
    expect(page.get_by_test_id("case-status")).to_have_text("待审批")
    screenshot(page, "case-page-zh")

    manager_page = new_page(locale="zh-CN")
    login(manager_page, "chen")
    manager_page.goto(f"/cases/{case.pk}/")
    manager_page.get_by_test_id("approve").click()
    expect(manager_page.get_by_test_id("remedy-status")).to_have_text("已批准")

    page.reload()
    page.get_by_test_id("reference").fill("RF-20261123-01")
    page.get_by_test_id("fulfil").click()
    expect(page.get_by_test_id("remedy-status")).to_have_text("已执行")
    page.locator('[name="follow_up-via"]').select_option("sms")
    page.get_by_test_id("mark-follow_up").click()
    expect(page.get_by_test_id("step-follow_up")).to_have_class("done")
    page.get_by_test_id("close-form").locator('[name="root_cause"]').select_option("promotion")
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已关闭")
    expect(page.get_by_test_id("timeline")).to_contain_text("RF-20261123-01")
    expect(page.get_by_test_id("timeline")).not_to_contain_text("remedy_id")

    case.refresh_from_db()
    assert (case.status, case.root_cause) == ("closed", "promotion")
    assert list(case.steps.values_list("step", flat=True)) == ["confirm", "assess", "negotiate", "follow_up"]
    remedy = case.remedies.get()
    assert (remedy.status, remedy.decided_by.user.username, remedy.confirmed_via) == ("confirmed", "chen", "sms")
    assert {"remedy_approved", "remedy_fulfilled", "case_closed"} <= set(
        AuditLog.objects.values_list("action", flat=True)
    )
