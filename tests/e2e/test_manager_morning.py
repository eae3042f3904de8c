"""A store manager's morning in a real browser: an escalation, an approval, the report and its CSV."""

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from crm.models import AuditLog, Case, Remedy
from crm.services.cases import case_add_event, case_close, case_open, remedy_propose
from crm.services.sla import cases_escalate_breached
from reports.tasks import refresh_store
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory
from tests.reports.factories import ReviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 09:00 in Shanghai.
MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(MORNING, tick=True):
        yield


@pytest.fixture
def store():
    return StoreFactory(name="丝韵旗舰店", timezone="Asia/Shanghai", agent_remedy_limit=Decimal("200"))


def _history(store, lin, zhou) -> tuple[Case, Remedy]:
    """Two weeks of reviews and closed cases for the report, yesterday's breached case, a remedy waiting."""
    for day in range(14):
        posted = MORNING - timedelta(days=day + 1)
        for rating in (5, 5, 4, 1 if day % 3 == 0 else 5, 3 if day % 4 == 0 else 5):
            ReviewFactory(customer__store=store, rating=rating, posted_at=posted)
    with time_machine.travel(MORNING - timedelta(days=3), tick=False):
        for root_cause, agent in (("courier", lin), ("courier", zhou), ("packaging", lin), ("supplier_defect", lin)):
            customer = CustomerFactory(store=store)
            case, _ = case_open(store=store, customer=customer, source=Case.Source.CALL, assignee=agent)
            case_add_event(case=case, kind="call", actor=agent.user, message="已致歉")
            case_close(case=case, root_cause=root_cause, actor=agent.user)
    with time_machine.travel(MORNING - timedelta(hours=14), tick=False):  # 19:00 yesterday
        late, _ = case_open(
            store=store,
            customer=CustomerFactory(store=store, name="赵敏"),
            order=OrderFactory(customer__store=store),
            source=Case.Source.REVIEW,
            triage_group=Case.TriageGroup.PRIORITY,
            summary="差评:围巾有色差",
            assignee=zhou,
        )
    waiting_case, _ = case_open(
        store=store, customer=CustomerFactory(store=store, name="王芳"), source=Case.Source.CALL, assignee=lin
    )
    remedy = remedy_propose(
        case=waiting_case, agent=lin, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("680"), description="退差价"
    )
    return late, remedy


def test_a_manager_sees_the_escalation_approves_a_remedy_and_exports_the_report(new_page, store, tmp_path):
    manager = ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    lin = AgentFactory(stores=[store], user__first_name="小林")
    zhou = AgentFactory(stores=[store], user__first_name="小周")
    late, remedy = _history(store, lin, zhou)
    assert cases_escalate_breached() == [late.pk]
    refresh_store(store.pk, recent=False)  # what beat does every few minutes

    page = new_page(locale="zh-CN")
    login(page, "chen")
    page.get_by_role("link", name="升级事项").click()
    late_section = page.get_by_test_id("late")
    expect(late_section).to_contain_text("赵敏")
    expect(late_section).to_contain_text("已超时")
    expect(late_section.locator(".badge.bad", has_text="已升级")).to_be_visible()
    screenshot(page, "manager-escalations-zh")

    page.get_by_role("link", name="审批").click()
    # The deferred htmx must have wired the buttons, or the click posts the plain form (the no-script path,
    # which redirects back to a list without this row) and the swapped-in decision never appears. The load to
    # wait for is the approvals page's: right after the click the escalations page is still the loaded one.
    page.wait_for_url("**/approvals/")
    page.wait_for_load_state("load")
    row = page.get_by_test_id(f"remedy-{remedy.pk}")
    expect(row).to_contain_text("680")
    row.get_by_role("button", name="批准").click()
    expect(row.get_by_test_id("decision")).to_have_text("已批准")
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.APPROVED and remedy.decided_by == manager

    page.get_by_role("link", name="报表").click()
    agents = page.get_by_test_id("section-agents")
    expect(agents).to_contain_text("小林")
    expect(page.get_by_test_id("section-pareto")).to_contain_text("快递操作或延误")
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length > 0")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart && Chart.getChart(c))"
    )
    screenshot(page, "manager-reports-zh")

    shown = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()] for row in agents.locator("table tr").all()[1:]
    ]
    with page.expect_download() as download:
        agents.get_by_test_id("csv-agents").click()
    path = tmp_path / "agents.csv"
    download.value.save_as(path)
    with path.open(encoding="utf-8-sig") as file:
        header, *rows = list(csv.reader(file))
    assert header[0] == "客服" and len(rows) == len(shown) == 2
    assert [[cell or "–" for cell in row] for row in rows] == shown
    assert AuditLog.objects.filter(action="report_exported", actor=manager.user, target="agents").exists()
