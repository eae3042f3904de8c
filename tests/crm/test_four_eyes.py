"""A remedy above the agent's limit is approved by another pair of eyes than the one that proposed it (ADR 0038)."""

from decimal import Decimal

import pytest

from crm.errors import OwnRemedyApproval
from crm.models import AuditLog, Case, CaseEvent, Remedy
from crm.services.cases import case_open, remedy_approve, remedy_decline, remedy_propose
from crm.services.escalation import case_manager_decide, case_negotiation_fail
from tests.factories import AgentFactory, ManagerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return OrderFactory(total_amount=Decimal("1500.00"))


@pytest.fixture
def manager(order):
    return ManagerFactory(stores=[order.store], user__username="zhao")


def _proposed_by(proposer, order, cost="800"):
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    return remedy_propose(case=case, agent=proposer, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal(cost))


def test_a_manager_cannot_approve_a_remedy_they_proposed_while_another_manager_serves_the_store(order, manager):
    """The manager proposed 800 CNY on a case (above the agents' 200) and approved it themselves a click later: the
    limit meant nothing for a manager."""
    other = ManagerFactory(stores=[order.store], user__username="qian")
    remedy = _proposed_by(manager, order)
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL

    with pytest.raises(OwnRemedyApproval) as refused:
        remedy_approve(remedy=remedy, manager=manager)

    assert (refused.value.code, refused.value.http_status) == ("remedy_own_proposal", 403)
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL and remedy.decided_by is None
    assert not AuditLog.objects.filter(action="remedy_approved").exists()
    approved = remedy_approve(remedy=remedy, manager=other)
    assert (approved.status, approved.decided_by, approved.self_approved) == ("approved", other, False)


def test_a_manager_may_decline_a_remedy_they_proposed(order, manager):
    ManagerFactory(stores=[order.store])
    remedy = _proposed_by(manager, order)
    declined = remedy_decline(remedy=remedy, manager=manager, reason="顾客改为换货")
    assert (declined.status, declined.self_approved) == ("declined", False)


def test_the_stores_only_manager_approves_their_own_proposal_recorded_as_self_approved(order, manager):
    # Another store's manager, an inactive manager of this store and a plain agent of it are no second pair of eyes.
    ManagerFactory()
    ManagerFactory(stores=[order.store], user__is_active=False)
    AgentFactory(stores=[order.store])
    remedy = _proposed_by(manager, order)

    approved = remedy_approve(remedy=remedy, manager=manager, reason="店里只有我一位主管")

    assert (approved.status, approved.decided_by, approved.self_approved) == ("approved", manager, True)
    entry = AuditLog.objects.get(action="remedy_approved")
    assert (entry.actor, entry.data["self_approved"]) == (manager.user, True)
    event = approved.case.events.get(kind=CaseEvent.Kind.REMEDY_APPROVED)
    assert event.data["self_approved"] is True


def test_an_agents_proposal_approved_by_a_manager_is_not_self_approved(order, manager):
    remedy = _proposed_by(AgentFactory(stores=[order.store]), order)
    approved = remedy_approve(remedy=remedy, manager=manager)
    assert approved.self_approved is False
    assert "self_approved" not in AuditLog.objects.get(action="remedy_approved").data


def test_a_manager_who_sent_the_case_to_the_managers_cannot_decide_its_refund_while_another_can(order, manager):
    """The same limit, by the escalation's door: the manager marked the negotiation failed on a case they worked and
    then decided a full refund on it themselves."""
    other = ManagerFactory(stores=[order.store])
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    case_negotiation_fail(case=case, actor=manager.user, offered=[], note="要全额退款")

    with pytest.raises(OwnRemedyApproval):
        case_manager_decide(case=case, manager=manager, decision="refund")

    assert not case.remedies.exists()
    # The platform's dispute process pays nothing out: the manager who worked the case may choose it.
    case_manager_decide(case=case, manager=other, decision="refund")
    assert case.remedies.get().self_approved is False


def test_the_only_manager_deciding_the_case_they_sent_records_the_remedy_self_approved(order, manager):
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    case_negotiation_fail(case=case, actor=manager.user, offered=[], note="要全额退款")
    case_manager_decide(case=case, manager=manager, decision="refund")
    assert case.remedies.get().self_approved is True
    assert AuditLog.objects.get(action="case_manager_decision").data["self_approved"] is True


def test_a_manager_sending_their_own_case_to_a_platform_dispute_needs_no_second_manager(order, manager):
    ManagerFactory(stores=[order.store])
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    case_negotiation_fail(case=case, actor=manager.user, offered=[], note="坚持平台介入")
    case = case_manager_decide(case=case, manager=manager, decision="platform_dispute")
    assert case.manager_decision == "platform_dispute" and not case.remedies.exists()


def test_the_case_page_tells_the_manager_who_sent_the_case_that_another_manager_decides_its_remedy(
    client, order, manager
):
    ManagerFactory(stores=[order.store])
    case, _ = case_open(store=order.store, customer=order.customer, order=order, source=Case.Source.CALL)
    case_negotiation_fail(case=case, actor=manager.user, offered=[], note="要全额退款")
    client.force_login(manager.user)
    page = client.get(f"/cases/{case.pk}/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    assert 'data-testid="decide-by-another"' in page and "由本店另一位主管决定" in page
    refused = client.post(f"/cases/{case.pk}/decision", {"decision": "refund", "kind": "refund", "cost": "0"})
    assert refused.status_code == 403 and not case.remedies.exists()
