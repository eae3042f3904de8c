"""Four eyes on a manager's own proposal in a real browser (ADR 0038): the only manager approves it and the row and
the queue say it was self-approved; with a second manager the proposer is offered no approval."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.models import Case, Remedy
from crm.services.cases import case_open, remedy_propose
from tests.e2e.conftest import login
from tests.factories import CustomerFactory, ManagerFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _own_proposal(store, manager) -> Remedy:
    case, _ = case_open(store=store, customer=CustomerFactory(store=store, name="钱女士"), source=Case.Source.CALL)
    return remedy_propose(
        case=case, agent=manager, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("680"), description="退差价"
    )


def test_the_only_manager_self_approves_and_a_second_manager_is_needed_once_there_is_one(new_page):
    store = StoreFactory(name="丝韵旗舰店", timezone="Asia/Shanghai", agent_remedy_limit=Decimal("200"))
    chen = ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    remedy = _own_proposal(store, chen)

    page = new_page(locale="zh-CN")
    login(page, "chen")
    page.goto("/manager/approvals/")
    page.wait_for_load_state("load")
    row = page.get_by_test_id(f"remedy-{remedy.pk}")
    expect(row.get_by_test_id("self-approval-note")).to_contain_text("您是本店唯一的主管")
    row.get_by_role("button", name="批准").click()
    expect(row.get_by_test_id("decision")).to_have_text("已批准")
    expect(row.get_by_test_id("self-approved")).to_have_text("自行审批")
    page.reload()
    expect(page.get_by_test_id("self-approved-list")).to_contain_text("钱女士")

    ManagerFactory(user__username="zhou", stores=[store])
    second = _own_proposal(store, chen)
    page.reload()
    row = page.get_by_test_id(f"remedy-{second.pk}")
    expect(row.get_by_test_id("own-proposal")).to_contain_text("需由本店另一位主管审批")
    expect(row.get_by_role("button", name="批准")).to_have_count(0)
    expect(row.get_by_role("button", name="拒绝")).to_be_visible()


def test_an_approve_clicked_on_a_stale_page_is_refused_inside_its_row_and_the_table_stays_whole(new_page):
    """chen, the only manager, had the approvals open when zhou joined the store: the refusal's message replaced the
    row (a bare block in the table), and the remedy's case, cost and buttons were gone until a reload."""
    store = StoreFactory(name="丝韵旗舰店", timezone="Asia/Shanghai", agent_remedy_limit=Decimal("200"))
    chen = ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    remedy = _own_proposal(store, chen)
    other = _own_proposal(store, chen)

    page = new_page(locale="zh-CN")
    login(page, "chen")
    page.goto("/manager/approvals/")
    page.wait_for_load_state("load")
    ManagerFactory(user__username="zhou", stores=[store])
    row = page.get_by_test_id(f"remedy-{remedy.pk}")
    row.get_by_role("button", name="批准").click()

    expect(row.get_by_role("alert")).to_contain_text("需由本店另一位主管审批")
    assert row.evaluate("el => el.tagName + ' in ' + el.closest('table').dataset.testid") == "TR in approvals"
    expect(row.get_by_test_id("cost")).to_have_text("¥680.00")
    expect(row.get_by_role("button", name="批准")).to_have_count(0)
    expect(row.get_by_role("button", name="拒绝")).to_be_visible()
    expect(page.get_by_test_id("approvals").locator("tr[data-testid^='remedy-']")).to_have_count(2)
    expect(page.get_by_test_id(f"remedy-{other.pk}")).to_be_visible()
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL
