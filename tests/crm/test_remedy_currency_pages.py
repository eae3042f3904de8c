"""What a store selling in euros sees (ADR 0036): the case page's remedy form, amounts and limit in euros, the
manager's approvals in the remedy's currency, a refund in another currency refused on the page, the currency set
with the limit on the policy page and named on the playbook page."""

import html
from decimal import Decimal

import pytest

from crm.models import AuditLog, Case, Remedy
from crm.services.cases import case_open, remedy_propose
from crm.services.escalation import case_negotiation_fail
from tests.admin_stores import store_form
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
ENGLISH = {"headers": {"Accept-Language": "en"}}


@pytest.fixture
def berlin():
    return StoreFactory(code="tea-own", timezone="Europe/Berlin", currency="EUR", agent_remedy_limit=Decimal("30"))


@pytest.fixture
def agent(berlin):
    return AgentFactory(stores=[berlin])


@pytest.fixture
def case(berlin, agent):
    order = OrderFactory(store=berlin, customer__store=berlin, total_amount=Decimal("89.00"), currency="EUR")
    return case_open(
        store=berlin, customer=order.customer, order=order, source=Case.Source.CALL, cause="price", assignee=agent
    )[0]


def test_the_case_page_of_a_store_in_euros_speaks_euros(client, case, agent):
    remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("12"))
    client.force_login(agent.user)
    page = html.unescape(client.get(f"/cases/{case.pk}/", **ENGLISH).text)
    assert "Cost (EUR)" in page and "Cost (CNY)" not in page
    assert 'name="currency" value="EUR"' in page
    assert "agent limit €30.00" in page
    assert "€12.00" in page  # the remedy, and its timeline entry
    assert "Cost: €12.00" in page
    assert " CNY" not in page and "¥" not in page


def test_a_refund_posted_in_another_currency_than_the_orders_is_a_400_on_the_page(client, case, agent):
    client.force_login(agent.user)
    posted = {"kind": "partial_refund", "cost": "10", "description": "补差价", "currency": "CNY"}
    response = client.post(f"/cases/{case.pk}/remedies", posted, **ENGLISH)
    assert response.status_code == 302  # back to the case page, with the message
    page = html.unescape(client.get(f"/cases/{case.pk}/", **ENGLISH).text)
    assert "A refund gives back what the order was paid in, EUR; this one is written in CNY." in page
    assert not case.remedies.exists()
    # Written in the order's currency, above what it cost: refused against its total, in euros.
    client.post(f"/cases/{case.pk}/remedies", {**posted, "currency": "EUR", "cost": "90"})
    assert "A refund cannot be more than the order's total, €89.00." in html.unescape(
        client.get(f"/cases/{case.pk}/", **ENGLISH).text
    )
    assert not case.remedies.exists()
    client.post(f"/cases/{case.pk}/remedies", {**posted, "currency": "EUR", "cost": "40"})
    assert case.remedies.get().currency == "EUR"


def test_the_manager_approves_in_the_remedys_currency(client, berlin, case, agent):
    remedy = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("40"))
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL
    # A store in CNY whose order was paid in euros: its limit cannot be compared, and the page says so.
    shanghai = StoreFactory(agent_remedy_limit=Decimal("200"))
    foreign_order = OrderFactory(store=shanghai, customer__store=shanghai, currency="EUR", total_amount=Decimal("99"))
    foreign_case, _ = case_open(
        store=shanghai, customer=foreign_order.customer, order=foreign_order, source=Case.Source.CALL
    )
    foreign = remedy_propose(
        case=foreign_case, agent=AgentFactory(stores=[shanghai]), kind=Remedy.Kind.GIFT, cost=Decimal("5")
    )
    manager = ManagerFactory(stores=[berlin, shanghai])
    client.force_login(manager.user)
    page = html.unescape(client.get("/manager/approvals/", **ENGLISH).text)
    row = page[page.index(f'data-testid="remedy-{remedy.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "€40.00" in row and "€30.00" in row and "other-currency" not in row
    row = page[page.index(f'data-testid="remedy-{foreign.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "€5.00" in row and "¥200.00" in row
    assert "every remedy in EUR waits for you" in row


def test_the_managers_decision_form_and_the_failed_negotiation_name_their_currencies(client, berlin, case, agent):
    case_negotiation_fail(case=case, actor=agent.user, offered=[], note="都不要")
    client.force_login(ManagerFactory(stores=[berlin]).user)
    page = html.unescape(client.get(f"/cases/{case.pk}/", **ENGLISH).text)
    decision = page[page.index('data-testid="decision-form"') :]
    assert "Cost (EUR)" in decision[: decision.index("</form>")]
    assert "(€80.00)" in page  # the playbook's price-difference refund, in the store's currency


def test_the_store_sets_its_currency_with_the_agents_limit(client, berlin):
    client.force_login(ManagerFactory(stores=[berlin]).user)
    page = client.get(f"/manager/policy/?store={berlin.code}", **ENGLISH).text
    assert 'name="currency"' in page and 'value="EUR"' in page
    refused = client.post(
        "/manager/policy/remedy_limit/", {"store": berlin.code, "agent_remedy_limit": "25", "currency": "E"}
    )
    assert refused.status_code == 400
    berlin.refresh_from_db()
    assert (berlin.agent_remedy_limit, berlin.currency) == (Decimal("30.00"), "EUR")
    posted = {"store": berlin.code, "agent_remedy_limit": "40", "currency": "usd"}
    assert client.post("/manager/policy/remedy_limit/", posted).status_code == 302
    berlin.refresh_from_db()
    assert (berlin.agent_remedy_limit, berlin.currency) == (Decimal("40.00"), "USD")
    assert AuditLog.objects.get(action="remedy_limit_changed").data["after"]["currency"] == "USD"
    playbook = client.get(f"/reviews/settings/{berlin.pk}/", **ENGLISH).text
    assert "Costs are in USD, the store's currency" in playbook


def test_the_case_page_speaks_chinese_about_euros(client, case, agent):
    remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("12"))
    client.force_login(agent.user)
    page = html.unescape(client.get(f"/cases/{case.pk}/", headers={"Accept-Language": "zh-hans"}).text)
    assert "成本（EUR）" in page
    assert "客服权限 €30.00" in page


@pytest.mark.parametrize("code", ["eur", "NAN"])  # not a code's shape; a code's shape naming no currency
def test_the_admin_refuses_a_store_currency_that_is_no_code(admin_client, berlin, code):
    form = store_form(berlin, agent_remedy_limit="30.00", currency=code)
    answer = admin_client.post(f"/admin/crm/store/{berlin.pk}/change/", form, **ENGLISH)
    assert answer.status_code == 200
    assert f"{code} is not an ISO 4217 currency code" in html.unescape(answer.text)
    berlin.refresh_from_db()
    assert berlin.currency == "EUR"
    assert admin_client.post(f"/admin/crm/store/{berlin.pk}/change/", {**form, "currency": "USD"}).status_code == 302
    berlin.refresh_from_db()
    assert berlin.currency == "USD"
    assert '<td class="field-currency">USD</td>' in admin_client.get("/admin/crm/store/").text


def test_an_error_of_a_field_the_page_does_not_show_is_not_named_by_its_code_in_english(client, case, agent):
    """A remedy form whose hidden currency came back wrong (a page edited or cached across a deploy) said
    "Currency: 确保该变量包含不超过 3 字符" to a Chinese-reading agent: a hidden field has no label, so the message
    named it by its code's English. An error of a field the user never saw is said without a field's name."""
    client.force_login(agent.user)
    posted = {"kind": "gift", "cost": "10", "description": "小礼物", "currency": "EURO"}
    response = client.post(f"/cases/{case.pk}/remedies", posted, follow=True, headers={"Accept-Language": "zh-hans"})
    messages = [str(m) for m in response.context["messages"]]
    assert messages and all("Currency" not in m for m in messages)
    assert any("3" in m for m in messages)  # the reason is still said
    assert not case.remedies.exists()
