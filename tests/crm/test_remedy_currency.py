"""A remedy is written in a currency (ADR 0036): its case's order's, else its store's. A refund is checked against
its order's total whatever the currency, and never in another currency than the order's; the agent's limit is in the
store's currency, and an amount in another currency is never compared with it."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from crm.errors import InvalidInput
from crm.models import Case, CaseEvent, Remedy, Store
from crm.readable.timeline import event_lines
from crm.services.cases import case_open, refunded_already, remedy_propose
from crm.services.complaint import complaint_assess, complaint_confirm, complaint_negotiate
from crm.services.escalation import case_manager_decide, case_negotiation_fail
from crm.services.policy import store_remedy_limit_update
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin():
    return StoreFactory(code="tea-own", timezone="Europe/Berlin", currency="EUR", agent_remedy_limit=Decimal("30"))


@pytest.fixture
def agent(berlin):
    return AgentFactory(stores=[berlin])


def _euro_order(store, total="89.00"):
    return OrderFactory(store=store, customer__store=store, total_amount=Decimal(total), currency="EUR")


def _open(order):
    return case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)[0]


def test_a_remedy_is_written_in_its_orders_currency_else_its_stores(berlin, agent):
    case = _open(_euro_order(berlin))
    gift = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("12"))
    assert gift.currency == "EUR"
    event = case.events.get(kind=CaseEvent.Kind.REMEDY_PROPOSED)
    assert event.data["currency"] == "EUR"
    assert ("Cost", "€12.00") in [(line.label, line.value) for line in event_lines(event)]
    # No order: the store's currency.
    orderless, _ = case_open(store=berlin, customer=CustomerFactory(store=berlin), source=Case.Source.MANUAL)
    assert remedy_propose(case=orderless, agent=agent, kind=Remedy.Kind.COUPON, cost=Decimal("5")).currency == "EUR"


def test_a_refund_of_an_order_in_euros_gives_back_at_most_its_total_over_all_its_refunds(berlin, agent):
    order = _euro_order(berlin)
    case = _open(order)
    with pytest.raises(InvalidInput, match=r"€89\.00") as refused:
        remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("694.20"))
    assert refused.value.field == "cost"
    with pytest.raises(InvalidInput, match=r"€89\.00"):  # a full refund is the order's total
        remedy_propose(case=case, agent=agent, kind=Remedy.Kind.REFUND, cost=Decimal("20"))
    first = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("20"))
    assert (first.currency, first.status) == ("EUR", Remedy.Status.AGREED)
    # A second case about the same order sees what the first refunded.
    second, _ = case_open(store=berlin, customer=order.customer, order=order, source=Case.Source.MANUAL, summary="x")
    with pytest.raises(InvalidInput, match=r"€69\.00"):
        remedy_propose(case=second, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("70"))
    assert refunded_already(order=order) == Decimal("20")
    assert not Remedy.objects.exclude(pk=first.pk).exists()


def test_a_refund_in_another_currency_than_the_orders_is_refused_on_the_currency(berlin, agent):
    case = _open(_euro_order(berlin))
    with pytest.raises(InvalidInput, match="EUR") as refused:
        remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("10"), currency="CNY")
    assert refused.value.field == "currency"
    with pytest.raises(InvalidInput) as refused:
        remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("10"), currency="euro")
    assert refused.value.field == "currency"
    assert not Remedy.objects.exists() and not case.events.filter(kind=CaseEvent.Kind.REMEDY_PROPOSED).exists()


def test_a_standing_refund_in_another_currency_is_never_added_up_with_the_orders(berlin, agent):
    """A refund written before refunds followed the order's currency: the check says so instead of adding CNY to EUR."""
    order = _euro_order(berlin)
    case = _open(order)
    old = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("50"))
    Remedy.objects.filter(pk=old.pk).update(kind=Remedy.Kind.PARTIAL_REFUND, currency="CNY")
    with pytest.raises(InvalidInput, match="CNY") as refused:
        remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("10"))
    assert refused.value.field == "currency"


def test_the_agents_limit_is_in_the_stores_currency_and_never_compared_with_another(agent, berlin):
    case = _open(_euro_order(berlin))
    assert remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("30")).status == "agreed"
    above = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.COUPON, cost=Decimal("30.01"))
    assert above.status == Remedy.Status.AWAITING_APPROVAL
    # A store in CNY (limit 200) with an order paid in euros: 50 EUR is not "below 200", it cannot be compared.
    shanghai = StoreFactory(agent_remedy_limit=Decimal("200"))
    cny_agent = AgentFactory(stores=[shanghai])
    foreign = _open(_euro_order(shanghai))
    remedy = remedy_propose(case=foreign, agent=cny_agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("50"))
    assert (remedy.currency, remedy.status) == ("EUR", Remedy.Status.AWAITING_APPROVAL)
    # Nothing to pay needs nobody's approval, in any currency.
    free = remedy_propose(case=foreign, agent=cny_agent, kind=Remedy.Kind.APOLOGY, cost=Decimal("0"))
    assert free.status == Remedy.Status.AGREED


def test_a_complaint_assessed_in_another_currency_than_the_limit_goes_to_the_manager():
    shanghai = StoreFactory(agent_remedy_limit=Decimal("200"))
    agent = AgentFactory(stores=[shanghai])
    case = _open(_euro_order(shanghai))
    complaint_confirm(case=case, actor=agent.user, customer_asks="退 50 欧元")
    step = complaint_assess(case=case, actor=agent.user, severity="minor", asked_amount=Decimal("50"))
    assert (step.data["within_limit"], step.data["currency"]) == (False, "EUR")
    case.refresh_from_db()
    assert case.escalated_at is not None


def test_a_playbook_refund_in_the_stores_currency_is_refused_for_an_order_in_another():
    """The playbook is in the store's currency: its partial refund of 80 CNY on an order paid in euros would be
    written as 80 of the order's money, or compared blindly with its total."""
    shanghai = StoreFactory(agent_remedy_limit=Decimal("200"))
    agent = AgentFactory(stores=[shanghai])
    case = _open(_euro_order(shanghai))
    Case.objects.filter(pk=case.pk).update(cause="price", causes=["price"])
    case.refresh_from_db()
    complaint_confirm(case=case, actor=agent.user, customer_asks="补差价")
    complaint_assess(case=case, actor=agent.user, severity="minor")
    offered = ["price:coupon", "price:partial_refund"]
    with pytest.raises(InvalidInput) as refused:
        complaint_negotiate(case=case, actor=agent.user, agent=agent, offered=offered, chosen="price:partial_refund")
    assert refused.value.field == "currency"
    # The coupon is the store's to give, in its own money.
    complaint_negotiate(case=case, actor=agent.user, agent=agent, offered=offered, chosen="price:coupon")
    coupon = case.remedies.get()
    assert (coupon.currency, coupon.cost, coupon.status) == ("CNY", Decimal("50.00"), Remedy.Status.AGREED)


def test_the_managers_refund_decision_on_an_order_in_euros_refunds_its_total_in_euros(berlin, agent):
    manager = ManagerFactory(stores=[berlin])
    case = _open(_euro_order(berlin, total="528.00"))
    case_negotiation_fail(case=case, actor=agent.user, offered=[], note="要全额退款")
    with pytest.raises(InvalidInput, match=r"€528\.00"):
        case_manager_decide(case=case, manager=manager, decision="refund", cost=Decimal("600"))
    case_manager_decide(case=case, manager=manager, decision="refund")
    refund = case.remedies.get()
    assert (refund.cost, refund.currency, refund.status) == (Decimal("528.00"), "EUR", "approved")


def test_the_store_currency_is_set_with_its_limit_and_checked(berlin):
    store_remedy_limit_update(store=berlin, actor=None, limit=Decimal("40"), currency="USD")
    berlin.refresh_from_db()
    assert (berlin.agent_remedy_limit, berlin.currency) == (Decimal("40.00"), "USD")
    with pytest.raises(InvalidInput) as refused:
        store_remedy_limit_update(store=berlin, actor=None, limit=Decimal("40"), currency="usd$")
    assert refused.value.field == "currency"
    store_remedy_limit_update(store=berlin, actor=None, limit=Decimal("50"))  # no currency: kept
    berlin.refresh_from_db()
    assert berlin.currency == "USD"


def test_the_migration_gives_a_store_the_currency_its_orders_are_all_in_else_cny():
    migration = importlib.import_module("crm.migrations.0022_store_and_remedy_currency")
    euros, mixed, _empty = (StoreFactory(code=code) for code in ("euros", "mixed", "empty"))
    _euro_order(euros)
    _euro_order(mixed)
    OrderFactory(store=mixed, customer__store=mixed)  # CNY
    Store.objects.update(currency="CNY")
    migration.stores_currency_from_orders(apps, None)
    assert dict(Store.objects.values_list("code", "currency")) == {"euros": "EUR", "mixed": "CNY", "empty": "CNY"}
    # Remedies follow their case: its order's currency, else the store's.
    agent = AgentFactory(stores=[euros, mixed])
    on_order = remedy_propose(case=_open(_euro_order(mixed)), agent=agent, kind="gift", cost=Decimal("1"))
    orderless = case_open(store=euros, customer=CustomerFactory(store=euros), source=Case.Source.MANUAL)[0]
    no_order = remedy_propose(case=orderless, agent=agent, kind="gift", cost=Decimal("1"))
    Remedy.objects.update(currency="CNY")
    migration.remedies_currency_from_cases(apps, None)
    assert dict(Remedy.objects.values_list("pk", "currency")) == {on_order.pk: "EUR", no_order.pk: "EUR"}
