"""The agent's evening in a real browser: tonight's queue in Chinese, the call panel, an outcome, a reassignment."""

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from callbacks.models import FollowUp
from crm.models import Case
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 18:05 in Shanghai today: five minutes into tonight's window. The clock ticks on from there. Today, not a
# fixed date: the browser drops a session cookie whose expiry (set from the server's clock) has passed.
EVENING = datetime.combine(datetime.now(UTC).date(), time(10, 5), tzinfo=UTC)
WINDOW_START, WINDOW_END = EVENING - timedelta(minutes=5), EVENING + timedelta(minutes=55)

CUSTOMERS = [
    ("王芳", "dedicated", "3888.00", "和田玉手镯", "analytical", "+8613812341234"),
    ("李娜", "call", "1399.00", "真丝围巾", "expressive", "+8613900002222"),
    ("张伟", "call", "1580.00", "羊皮手提包", "dominant", "+8613700003333"),
]


@pytest.fixture(autouse=True)
def _evening():
    with time_machine.travel(EVENING, tick=True):
        yield


@pytest.fixture
def store():
    return StoreFactory(name="丝韵旗舰店", timezone="Asia/Shanghai", manager_hotline="+86 400 820 8820")


def _tonight(store, agent) -> list[FollowUp]:
    rows = []
    for index, (name, channel, amount, product, personality, phone) in enumerate(CUSTOMERS):
        customer = CustomerFactory(
            store=store, name=name, phone=phone, personality_type=personality, region="杭州", interests=["茶道"]
        )
        order = OrderFactory(
            customer=customer,
            total_amount=Decimal(amount),
            items=[{"sku": f"SKU-{index}", "name": product, "quantity": 1, "unit_price": amount}],
            delivered_at=EVENING - timedelta(hours=7 - index),
            status="delivered",
        )
        rows.append(
            FollowUpFactory(
                order=order, channel=channel, assignee=agent, window_start=WINDOW_START, window_end=WINDOW_END
            )
        )
    return rows


def test_an_agent_works_tonights_queue_in_chinese_and_a_complaint_becomes_a_case(new_page, store, twilio_live):
    agent = AgentFactory(user__username="lin", user__first_name="小林", stores=[store], phone="+8613900000001")
    first, _second, third = _tonight(store, agent)
    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.get_by_test_id("nav-calls").click()
    expect(page.get_by_role("heading", name="今晚的回访电话")).to_be_visible()
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("王芳")  # the dedicated tier first
    expect(rows.first).to_contain_text("18:00")
    expect(rows.first).to_contain_text("138****1234")
    screenshot(page, "queue-agent-zh")

    rows.first.get_by_role("link", name="打开").click()
    expect(page.get_by_test_id("phone")).to_have_text("138****1234")
    expect(page.get_by_test_id("script")).to_contain_text("+86 400 820 8820")
    expect(page.get_by_test_id("strategy")).to_contain_text("提供数据和明确承诺")

    # Click to call: Twilio (the local server, through the real client) rings the agent, then fetches our
    # TwiML to bridge the customer; its signed status callbacks move the live status on the panel.
    page.get_by_test_id("call").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "completed", timeout=15_000)
    expect(page.get_by_test_id("call-status")).to_contain_text("已完成")
    [call] = twilio_live.calls
    assert call["to"] == "+8613900000001"
    assert "<Number>+8613812341234</Number>" in call["_twiml"]
    screenshot(page, "call-panel-zh")

    page.get_by_label("原因").select_option("quality")
    page.get_by_label("备注").fill("手镯有一道细纹")
    page.get_by_role("button", name="已接通，不满意").click()
    # Confirmed on the page, naming the customer and the order; the next call is offered by name and order.
    confirmed = page.get_by_test_id("outcome-confirmed")
    expect(confirmed).to_contain_text("王芳")
    expect(confirmed).to_contain_text(first.order.external_id)
    expect(page.get_by_test_id("followup-status")).to_have_text("已完成")
    # The next on the list: 张伟's larger order before 李娜's in the same window.
    expect(page.get_by_test_id("next-call")).to_contain_text("张伟")
    expect(page).to_have_url(re.compile(rf"/calls/{first.pk}/$"))
    screenshot(page, "outcome-confirmed-zh")
    page.get_by_test_id("next-call").click()
    page.wait_for_url(f"**/calls/{third.pk}/")
    case = Case.objects.get()
    assert (case.customer_id, case.cause, case.summary, case.source) == (
        first.customer_id,
        "quality",
        "手镯有一道细纹",
        "call",
    )
    assert FollowUp.objects.get(pk=first.pk).status == "done"


def test_another_agent_cannot_open_that_follow_up(new_page, store):
    mine = _tonight(store, AgentFactory(user__username="lin", stores=[store]))[0]
    AgentFactory(user__username="mei", stores=[store])
    page = new_page(locale="zh-CN")
    login(page, "mei")
    response = page.goto(f"/calls/{mine.pk}/")
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("您的队列中没有这条回访")
    page.goto("/calls/")
    expect(page.get_by_test_id("queue-row")).to_have_count(0)


def test_a_manager_reassigns_a_call_and_the_agents_queue_updates_itself(new_page, store):
    lin = AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    mei = AgentFactory(user__username="mei", user__first_name="小美", stores=[store])
    moved = _tonight(store, lin)[1]
    ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])

    agent_page = new_page(locale="zh-CN")
    login(agent_page, "mei")
    agent_page.goto("/calls/")
    expect(agent_page.get_by_test_id("queue-row")).to_have_count(0)

    manager_page = new_page(locale="zh-CN")
    login(manager_page, "chen")
    manager_page.goto("/calls/")
    expect(manager_page.get_by_test_id("queue-row")).to_have_count(3)
    screenshot(manager_page, "queue-manager-zh")
    manager_page.get_by_test_id(f"reassign-{moved.pk}").click()
    manager_page.get_by_test_id(f"reassign-select-{moved.pk}").select_option(str(mei.pk))
    manager_page.locator(f"#fu-{moved.pk}").get_by_role("button", name="改派").click()
    expect(manager_page.locator(f"#fu-{moved.pk} td.assignee")).to_contain_text("小美")

    # No reload: the agent's queue polls and picks the call up.
    expect(agent_page.get_by_test_id("queue-row")).to_have_count(1, timeout=15_000)
    expect(agent_page.get_by_test_id("queue-row")).to_contain_text("李娜")


def test_the_queue_switches_to_english_and_keeps_store_time(new_page, store):
    _tonight(store, AgentFactory(user__username="lin", user__first_name="Lin", stores=[store]))
    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.goto("/calls/")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Tonight's calls")).to_be_visible()
    expect(page.get_by_test_id("queue-row").first).to_contain_text("18:00")
    screenshot(page, "queue-agent-en")


@pytest.mark.parametrize(
    ("locale", "fault", "said", "again"),
    [
        ("zh-CN", "500", "通信服务商未能发起通话（服务商错误代码：20500）", "可以再次拨打"),
        ("en", "429", "The telephony provider could not place the call (its error code: 20429).", "call again"),
    ],
)
def test_a_call_the_provider_failed_to_place_is_said_on_the_panel_and_placed_at_the_next_click(
    new_page, store, twilio_live, locale, fault, said, again
):
    """The provider answered a server error (or refused): the agent clicked Call and the panel showed nothing."""
    agent = AgentFactory(user__username="lin", stores=[store], phone="+8613900000001")
    first = _tonight(store, agent)[0]
    twilio_live.configure(mode=fault, count=1)
    page = new_page(locale=locale)
    login(page, "lin")
    page.goto(f"/calls/{first.pk}/")
    page.get_by_test_id("call").click()

    failed = page.get_by_test_id("call-failed")
    expect(failed).to_contain_text(said)
    expect(failed).to_contain_text(again)
    assert twilio_live.calls == []

    page.get_by_test_id("call").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "completed", timeout=15_000)
    assert len(twilio_live.calls) == 1
