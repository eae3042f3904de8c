"""A case waiting on the customer (ADR 0034) in a real browser, in Chinese: the agent asks a customer who was called
for photos of the crushed box and sets the case waiting; the case page and the case list show the wait and no
deadline; two hours later the photos come, the agent resumes it and the deadline is back, two hours later."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from crm.models import AuditLog, Case
from crm.services.cases import case_open
from crm.timezones import to_store_local
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Monday 23 November 2026, 10:00 in Shanghai: in the store's service hours (09:00-21:00).
MONDAY_MORNING = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
ASKED = "请拍一张外盒破损的照片"


def _local(moment, store) -> str:
    return to_store_local(moment, store).strftime("%m-%d %H:%M")


def test_an_agent_sets_a_called_customers_case_waiting_and_resumes_it_with_the_deadline_moved(new_page):
    with time_machine.travel(MONDAY_MORNING, tick=True):
        store = StoreFactory(code="silk-tmall", name="丝韵旗舰店", timezone="Asia/Shanghai")
        agent = AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
        order = OrderFactory(store=store, customer__store=store, customer__name="王芳", external_id="TM-1001")
        case, _ = case_open(
            store=store,
            customer=order.customer,
            order=order,
            source=Case.Source.CALL,  # opened on a call: the customer was answered
            cause=Case.Cause.LOGISTICS,
            summary="外盒压坏了",
            actor=agent.user,
            assignee=agent,
        )
        due = case.resolution_due
        assert case.first_response_at is not None and due is not None

        page = new_page(locale="zh-CN")
        login(page, "lin")
        page.goto(f"/cases/{case.pk}/")
        sla = page.get_by_test_id("sla")
        expect(sla).to_contain_text(f"解决截止 {_local(due, store)}")

        waiting = page.get_by_test_id("waiting")
        waiting.get_by_label("已向顾客询问").fill(ASKED)
        waiting.get_by_test_id("wait").click()
        expect(page.get_by_test_id("case-status")).to_have_text("等待顾客回复")
        expect(sla).to_contain_text("解决时限已暂停：等待顾客回复")
        expect(sla).not_to_contain_text("解决截止")  # no deadline runs while it waits
        expect(page.get_by_test_id("waiting-for")).to_contain_text(ASKED)
        case.refresh_from_db()
        resumes = _local(case.waiting_until, store)
        assert resumes == "11-26 10:00"  # the store's longest wait, 3 days, at the same local time
        expect(waiting).to_contain_text(f"将于 {resumes} 自动恢复")
        expect(waiting.get_by_test_id("wait-form")).to_have_count(0)
        screenshot(page, "case-waiting-zh")

        page.get_by_test_id("nav-cases").click()
        row = page.get_by_test_id(f"case-row-{case.pk}")
        expect(row).to_contain_text("等待顾客回复")
        expect(row).to_contain_text(f"已暂停，{resumes} 恢复")
        expect(page.get_by_test_id("count-awaiting-customer")).to_have_text("1")
        expect(page.get_by_test_id("count-breached")).to_have_text("0")
        row.get_by_test_id(f"open-case-{case.pk}").click()
        page.wait_for_url(f"**/cases/{case.pk}/")
        resume = page.get_by_test_id("resume-form")
        resume.get_by_label("备注").fill("顾客在旺旺发来了照片")

        # The photos come at noon: the resume is sent with the clock two hours after the wait began (held there
        # while the server answers, so the wait is exactly two hours of service time).
        with time_machine.travel(case.waiting_since + timedelta(hours=2), tick=False):
            resume.get_by_test_id("resume").click()
            expect(page.get_by_test_id("case-status")).to_have_text("处理中")

        later = due + timedelta(hours=2)
        assert to_store_local(due, store).hour < 19  # two hours later is still in its service day: nothing carried over
        expect(sla).to_contain_text(f"解决截止 {_local(later, store)}")
        expect(sla).not_to_contain_text("解决时限已暂停")
        expect(page.get_by_test_id("wait-form")).to_be_visible()  # it can wait again
        timeline = page.get_by_test_id("timeline")
        expect(timeline).to_contain_text("客服手动恢复")
        expect(timeline).to_contain_text("解决时限顺延（服务时间）")
        expect(timeline).to_contain_text("2 小时 0 分钟")
        expect(timeline).to_contain_text("顾客在旺旺发来了照片")

    case.refresh_from_db()
    assert (case.status, case.resolution_due, case.resolution_paused) == (
        Case.Status.IN_PROGRESS,
        later,
        timedelta(hours=2),
    )
    audited = AuditLog.objects.filter(action__in=["case_waiting", "case_resumed"], actor=agent.user)
    assert sorted(audited.values_list("action", flat=True)) == ["case_resumed", "case_waiting"]
