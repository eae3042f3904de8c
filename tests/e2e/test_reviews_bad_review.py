"""A bad review in a real browser: it arrives over the API, shows up flagged and triaged, an agent works the
case to a remedy above their limit, the manager approves, and the case closes with a root cause."""

from decimal import Decimal

import pytest
import requests
from playwright.sync_api import expect

from crm.models import Case, Remedy
from crm.services.api_tokens import api_token_create
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bad_review_from_the_api_is_worked_to_an_approved_remedy_and_a_root_cause(new_page, live_server):
    store = StoreFactory(code="silk-tmall", name="丝韵旗舰店", agent_remedy_limit=Decimal("200"))
    AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    OrderFactory(store=store, customer__store=store, customer__name="王芳", external_id="TM-1001", total_amount=3888)
    _token, key = api_token_create(store_codes=[store.code], name="Tmall connector")
    good = {
        "external_id": "TMR-1",
        "rating": 5,
        "text": "没有色差,丝巾很顺滑",
        "posted_at": "2026-11-23T09:00:00+08:00",
    }
    bad = {
        "external_id": "TMR-2",
        "order": "TM-1001",
        "product": "真丝围巾",
        "sku": "SILK-01",
        "rating": 1,
        "text": "颜色和图片完全不一样,色差太大,洗了一次还起球了",
        "images": ["https://img.example.com/tmr-2/1.jpg", "https://img.example.com/tmr-2/2.jpg"],
        "likes": 12,
        "posted_at": "2026-11-23T10:30:00+08:00",
    }
    response = requests.post(
        f"{live_server.url}/api/v1/reviews", json=[good, bad], headers={"Authorization": f"Token {key}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert reviews_open_cases() == 1  # what the worker's case sweeper does a few seconds later

    agent = new_page(locale="zh-CN")
    login(agent, "lin")
    agent.goto("/reviews/")
    row = agent.get_by_test_id("review-TMR-2")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("triage")).to_have_text("优先")
    expect(row.locator("mark.evidence").first).to_be_visible()
    expect(agent.get_by_test_id("review-TMR-1")).to_have_count(0)  # a good review is not flagged
    screenshot(agent, "reviews-patrol-zh")

    row.locator("a.review-text").click()
    expect(agent.get_by_test_id("case-status")).to_have_text("待处理")
    agent.get_by_test_id("step-apology_call").locator("input[name=apology_call-note]").fill("已电话致歉,顾客愿意沟通")
    # Each step is a plain form post that reloads the page: wait for the page it answers with before the next
    # click, or that click lands on the page being left and its post races this one (or is lost).
    agent.get_by_test_id("mark-apology_call").click()
    expect(agent.get_by_test_id("step-apology_call")).to_have_class("done")
    agent.get_by_role("button", name="附上评价中的图片").click()
    expect(agent.get_by_test_id("evidence")).to_contain_text("TMR-2 #2")
    agent.get_by_test_id("mark-cause_understood").click()
    expect(agent.get_by_test_id("step-cause_understood")).to_have_class("done")
    form = agent.get_by_test_id("remedy-form")
    form.locator("select[name=kind]").select_option("partial_refund")
    form.locator("input[name=cost]").fill("300")
    form.locator("input[name=description]").fill("退还部分货款 300 元")
    form.get_by_role("button").click()
    expect(agent.get_by_test_id("case-status")).to_have_text("待审批")

    manager = new_page(locale="zh-CN")
    login(manager, "chen")
    review = Review.objects.get(external_id="TMR-2")
    manager.goto(f"/reviews/{review.pk}/")
    manager.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("remedies")).to_contain_text("已批准")

    agent.reload()
    agent.get_by_test_id("mark-remedy_agreed").click()
    expect(agent.get_by_test_id("step-remedy_agreed")).to_have_class("done")
    # Carried out before the case can close: the refund's reference.
    agent.get_by_test_id("reference").fill("REFUND-20261206-1")
    agent.get_by_test_id("fulfil").click()
    expect(agent.get_by_test_id("remedy-status")).to_have_text("已执行")
    agent.get_by_test_id("step-satisfaction_checked").locator(
        "input[name=satisfaction_checked-asked_about_review]"
    ).check()
    agent.get_by_test_id("mark-satisfaction_checked").click()
    expect(agent.get_by_test_id("step-satisfaction_checked")).to_have_class("done")
    close = agent.get_by_test_id("close-form")
    close.locator("select[name=root_cause]").select_option("listing")
    close.get_by_role("button").click()
    expect(agent.get_by_test_id("case-status")).to_have_text("已关闭")
    expect(agent.get_by_test_id("root-cause")).to_have_text("商品图片或描述")
    screenshot(agent, "reviews-case-zh")

    case = Case.objects.get()
    assert (case.status, case.root_cause, case.triage_group) == ("closed", "listing", "priority")
    assert case.remedies.get().status == Remedy.Status.FULFILLED
    assert list(case.steps.values_list("step", flat=True)) == [
        "apology_call",
        "cause_understood",
        "remedy_agreed",
        "satisfaction_checked",
        "root_cause",
    ]
