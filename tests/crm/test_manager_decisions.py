"""A manager's decisions on a case page left open while the case moved on (a stale page, a second tab)."""

import pytest

from crm.models import AuditLog, Case, CaseEvent
from crm.services.cases import case_close, case_open
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def test_reassigning_a_case_closed_meanwhile_is_refused_and_the_close_keeps_its_agent(client, store, agent):
    """The manager had the case page open with its reassign form; the agent closed the case; the manager's
    reassign went through, and the closed case (its close, its hours, its escalation) moved in the reports to an
    agent who never worked it."""
    manager = ManagerFactory(stores=[store])
    other = AgentFactory(stores=[store])
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL, assignee=agent)
    client.force_login(manager.user)
    assert 'name="assignee"' in client.get(f"/cases/{case.pk}/").text
    case_close(case=case, root_cause="other", actor=agent.user)

    answer = client.post(f"/cases/{case.pk}/reassign", {"assignee": other.pk}, follow=True)

    assert [str(m) for m in answer.context["messages"]] == ["The case is closed."]
    case.refresh_from_db()
    assert case.assignee == agent
    assert not case.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()
    assert not AuditLog.objects.filter(action="case_reassigned").exists()


def test_a_managers_decision_posted_twice_is_recorded_once_and_said_once(client, store, agent):
    """A double click on "Record the decision": the second post told the manager in red that they themselves had
    already decided."""
    from crm.services.escalation import case_negotiation_fail
    from tests.factories import OrderFactory

    manager = ManagerFactory(stores=[store], user__username="zhao", user__first_name="", user__last_name="")
    order = OrderFactory(store=store, customer__store=store)
    case, _ = case_open(store=store, customer=order.customer, order=order, source=Case.Source.CALL, assignee=agent)
    case_negotiation_fail(case=case, actor=agent.user, offered=[], note="要全额退款")
    client.force_login(manager.user)
    body = {"decision": "platform_dispute", "kind": "partial_refund", "cost": "0", "note": "平台介入"}
    client.post(f"/cases/{case.pk}/decision", body, follow=True)

    again = client.post(f"/cases/{case.pk}/decision", body, follow=True)

    assert [str(m) for m in again.context["messages"]] == []  # as after the first: the page shows the decision
    assert case.events.filter(kind=CaseEvent.Kind.MANAGER_DECIDED).count() == 1
    assert AuditLog.objects.filter(action="case_manager_decision").count() == 1
