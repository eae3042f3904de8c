"""The agent's limit is on what the customer is given in total (ADR 0039), not on each remedy: the remedies that stand
on the case, on every case about its order and on the customer's cases of the last days add up, in the store's
currency, and concurrent proposals cannot both slip under it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Case, Remedy
from crm.readable.details import readable_fields
from crm.services.cases import case_close, case_open, remedy_decline, remedy_propose
from crm.services.casework import remedy_fulfil, remedy_withdraw
from crm.services.complaint import complaint_assess, complaint_confirm
from crm.services.escalation import case_manager_decide, case_negotiation_fail
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory
from tests.locking import overlapping

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(agent_remedy_limit=Decimal("500"))


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


@pytest.fixture
def order(store):
    return OrderFactory(store=store, customer__store=store)


def _open(order):
    return case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)[0]


def _propose(case, agent, cost, kind=Remedy.Kind.COUPON, description=""):
    return remedy_propose(case=case, agent=agent, kind=kind, cost=Decimal(cost), description=description)


def test_four_vouchers_of_200_on_one_case_wait_for_the_manager_once_they_pass_the_limit(order, agent):
    """One voucher of 800 waited for the manager; four of 200, proposed one after the other, were all agreed."""
    case = _open(order)
    vouchers = [_propose(case, agent, "200", description=f"优惠券 {n}") for n in range(1, 5)]

    assert [v.status for v in vouchers] == ["agreed", "agreed", "awaiting_approval", "awaiting_approval"]
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_APPROVAL


def test_a_refund_and_a_voucher_add_up(order, agent):
    case = _open(order)
    assert _propose(case, agent, "300", kind=Remedy.Kind.PARTIAL_REFUND).status == "agreed"
    assert _propose(case, agent, "250").status == "awaiting_approval"
    assert _propose(case, agent, "200", kind=Remedy.Kind.GIFT).status == "awaiting_approval"  # 750: still above


def test_declined_and_withdrawn_remedies_give_the_customer_nothing_and_do_not_count(order, agent, store):
    case = _open(order)
    declined = _propose(case, agent, "800")
    remedy_decline(remedy=declined, manager=ManagerFactory(stores=[store]), reason="超出标准")
    withdrawn = _propose(case, agent, "400")
    remedy_withdraw(remedy=withdrawn, actor=agent.user, reason="顾客改主意")

    assert _propose(case, agent, "500", description="换个方案").status == "agreed"


def test_approved_and_carried_out_remedies_count_and_nothing_costing_nothing_waits(order, agent, store):
    case = _open(order)
    gift = _propose(case, agent, "400", kind=Remedy.Kind.GIFT)
    remedy_fulfil(remedy=gift, agent=agent, reference="SF1234567890")

    assert _propose(case, agent, "100.01").status == "awaiting_approval"
    assert _propose(case, agent, "0", kind=Remedy.Kind.APOLOGY).status == "agreed"


def test_a_second_case_about_the_same_order_adds_up_with_the_first_however_long_ago(order, agent):
    """An agent closed the case over a voucher within the limit and opened another about the same order."""
    first = _open(order)
    voucher = _propose(first, agent, "400")
    remedy_fulfil(remedy=voucher, agent=agent, reference="QUAN-1")
    case_close(case=first, root_cause="other")
    Remedy.objects.filter(pk=voucher.pk).update(proposed_at=timezone.now() - timedelta(days=90))

    second = _open(order)

    assert second.pk != first.pk
    assert _propose(second, agent, "200").status == "awaiting_approval"


def test_the_customers_cases_of_the_last_seven_days_add_up_and_older_ones_do_not(order, agent, store):
    other_order = OrderFactory(store=store, customer=order.customer)
    first = _open(order)
    earlier = _propose(first, agent, "400")
    orderless = case_open(store=store, customer=order.customer, source=Case.Source.MANUAL)[0]

    assert _propose(orderless, agent, "200").status == "awaiting_approval"
    Remedy.objects.filter(pk=earlier.pk).update(proposed_at=timezone.now() - timedelta(days=8))
    assert _propose(_open(other_order), agent, "200").status == "agreed"
    # Another customer's remedies are theirs.
    stranger = OrderFactory(store=store, customer__store=store)
    assert _propose(_open(stranger), agent, "500").status == "agreed"


def test_a_remedy_the_manager_decided_counts_for_what_the_agent_proposes_next(order, agent, store):
    manager = ManagerFactory(stores=[store])
    case = _open(order)
    case_negotiation_fail(case=case, actor=agent.user, offered=["quality:coupon"], note="不接受")
    case_manager_decide(case=case, manager=manager, decision=Case.Decision.HIGHER_REMEDY, cost=Decimal("450"))

    assert _propose(case, agent, "60").status == "awaiting_approval"


def test_a_standing_remedy_in_another_currency_cannot_be_added_up_so_the_next_one_waits(store, agent):
    euro_order = OrderFactory(store=store, customer__store=store, currency="EUR", total_amount=Decimal("90"))
    case = _open(euro_order)
    refund = _propose(case, agent, "20", kind=Remedy.Kind.PARTIAL_REFUND)
    assert (refund.currency, refund.status) == ("EUR", "awaiting_approval")  # another currency always waits
    from crm.services.cases import remedy_approve

    remedy_approve(remedy=refund, manager=ManagerFactory(stores=[store]))

    gift = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("10"), currency="CNY")

    assert (gift.currency, gift.status) == ("CNY", "awaiting_approval")


def test_a_complaint_assessed_counts_what_the_customer_was_given_already(order, agent):
    case = _open(order)
    _propose(case, agent, "400")
    complaint_confirm(case=case, actor=agent.user, customer_asks="再补 200")

    step = complaint_assess(case=case, actor=agent.user, severity="minor", asked_amount=Decimal("200"))

    assert step.data["within_limit"] is False and step.data["given"] == "400.00"
    lines = [(line.label, line.value) for line in readable_fields(step.data)]
    assert ("Within the agent's limit", "no") in lines and ("Given to the customer already", "¥400.00") in lines
    case.refresh_from_db()
    assert case.escalated_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_proposals_on_one_case_at_once_do_not_both_slip_under_the_limit(order, agent):
    case = _open(order)
    colleague = AgentFactory(stores=[order.store])

    waited = overlapping(
        lambda: _propose(case, agent, "300", description="退差价"),
        lambda: _propose(case, colleague, "300", kind=Remedy.Kind.GIFT, description="赠品"),
    )

    assert waited
    assert sorted(case.remedies.values_list("status", flat=True)) == ["agreed", "awaiting_approval"]


@pytest.mark.django_db(transaction=True)
def test_two_proposals_on_two_cases_of_one_customer_at_once_do_not_both_slip_under_the_limit(order, agent, store):
    first = _open(order)
    second = _open(OrderFactory(store=store, customer=order.customer))

    waited = overlapping(lambda: _propose(first, agent, "300"), lambda: _propose(second, agent, "300"))

    assert waited
    statuses = Remedy.objects.filter(case__customer=order.customer).values_list("status", flat=True)
    assert sorted(statuses) == ["agreed", "awaiting_approval"]


@pytest.mark.django_db(transaction=True)
def test_proposals_for_two_customers_at_once_do_not_wait_for_each_other(order, agent, store):
    first, second = _open(order), _open(OrderFactory(store=store, customer=CustomerFactory(store=store)))

    waited = overlapping(lambda: _propose(first, agent, "300"), lambda: _propose(second, agent, "300"))

    assert not waited
    assert set(Remedy.objects.values_list("status", flat=True)) == {"agreed"}


def test_the_case_page_tells_the_agent_what_the_customer_is_given_in_total_beside_the_limit(client, order, agent):
    """The agent's 200 waited for the manager with "agent limit ¥500" beside it, and nothing said why."""
    case = _open(order)
    _propose(case, agent, "400", kind=Remedy.Kind.GIFT)
    _propose(case, agent, "200")
    client.force_login(agent.user)

    page = client.get(f"/cases/{case.pk}/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text

    header = page.split('data-testid="remedies"')[1].split("</h2>")[0]
    assert "¥500.00" in header and "合计已给予 ¥600.00" in header.split('data-testid="given"')[1]
