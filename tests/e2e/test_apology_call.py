"""The apology call in a real browser: from a bad review's case, "Call the customer" opens the call panel, Twilio
(the local server, through the real client) rings the agent then bridges the customer, the agent logs "reached",
and back on the review the apology step is done and the call is on the case's timeline."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from playwright.sync_api import expect

from callbacks.models import CaseCall
from crm.models import CaseEvent
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _daytime_in_shanghai():
    """10:30 in Shanghai today (the contact gate lets calls through only in the store's call hours); today, since
    the browser drops a session cookie whose expiry, set from the server's clock, has passed."""
    with time_machine.travel(datetime.combine(datetime.now(UTC).date(), time(2, 30), tzinfo=UTC), tick=True):
        yield


def test_an_agent_calls_from_the_bad_review_case_and_the_apology_step_is_done(new_page, twilio_live):
    store = StoreFactory(code="silk-tmall", name="丝韵旗舰店", timezone="Asia/Shanghai")
    AgentFactory(user__username="lin", user__first_name="小林", stores=[store], phone="+8613900000001", on_shift=True)
    order = OrderFactory(
        store=store,
        customer__store=store,
        customer__name="王芳",
        customer__phone="+8613812341234",
        external_id="TM-1001",
    )
    reviews_ingest(
        store=store,
        rows=[
            ReviewIn(
                external_id="TMR-2",
                rating=1,
                posted_at=datetime(2026, 11, 23, 2, 30, tzinfo=UTC),
                text="颜色和图片完全不一样,色差太大",
                order=order.external_id,
            )
        ],
    )
    assert reviews_open_cases() == 1
    review = Review.objects.get(external_id="TMR-2")

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.goto(f"/reviews/{review.pk}/")
    step = page.get_by_test_id("step-apology_call")
    expect(step).not_to_have_class("done")
    step.get_by_test_id("call-customer").click()

    page.wait_for_url("**/calls/case-calls/*/**")
    expect(page.get_by_test_id("phone")).to_have_text("138****1234")
    expect(page.get_by_test_id("script")).to_contain_text("王芳")
    page.get_by_test_id("call").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "completed", timeout=15_000)
    [call] = twilio_live.calls
    assert call["to"] == "+8613900000001"
    assert "<Number>+8613812341234</Number>" in call["_twiml"]
    screenshot(page, "case-call-panel-zh")

    page.get_by_label("备注").fill("已致歉,顾客愿意沟通")
    page.get_by_test_id("outcome-reached").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    expect(page.get_by_test_id("step-apology_call")).to_have_class("done")
    expect(page.get_by_test_id("step-apology_call")).to_contain_text("已致歉,顾客愿意沟通")

    page.get_by_test_id("case-link").click()
    expect(page.get_by_test_id("timeline").locator('li[data-kind="call"]')).to_contain_text("已致歉,顾客愿意沟通")

    case = review.case
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert CaseCall.objects.get(case=case).outcome == "reached"
    assert case.events.get(kind=CaseEvent.Kind.CALL).data["outcome"] == "reached"
    assert list(case.steps.values_list("step", flat=True)) == ["apology_call"]
