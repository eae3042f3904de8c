"""An agent who stops serving a store hands their open cases there on (crm.services.agents)."""

import pytest
from django.utils import timezone

from crm.models import AuditLog, Case, CaseEvent
from crm.readable.audit import audit_lines
from crm.readable.timeline import event_lines
from crm.services.cases import case_open
from crm.signals import agent_left_stores
from tests.factories import AgentFactory, CustomerFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def _case(store, assignee) -> Case:
    customer = CustomerFactory(store=store)
    case, _ = case_open(store=store, customer=customer, source=Case.Source.MANUAL, assignee=assignee)
    return case


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, **kwargs):
        calls.append((kwargs["agent_id"], kwargs["store_ids"]))

    agent_left_stores.connect(receiver, dispatch_uid="test.heard")
    yield calls
    agent_left_stores.disconnect(dispatch_uid="test.heard")


def test_open_cases_go_to_the_least_loaded_agent_still_serving_the_store(heard):
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other], user__first_name="小王")
    busy, idle = AgentFactory(stores=[store], user__first_name="小李"), AgentFactory(stores=[store])
    _case(store, busy)
    mine = [_case(store, leaver) for _ in range(3)]
    elsewhere = _case(other, leaver)
    closed = _case(store, leaver)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED, root_cause="other", closed_at=timezone.now())

    leaver.stores.remove(store)

    assert [Case.objects.get(pk=c.pk).assignee for c in mine] == [idle, busy, idle]  # ties to the longest-standing
    assert Case.objects.get(pk=elsewhere.pk).assignee == leaver  # a store they still serve
    assert Case.objects.get(pk=closed.pk).assignee == leaver
    event = CaseEvent.objects.filter(case=mine[0], kind=CaseEvent.Kind.ASSIGNED).get()
    lines = {line.label: line.value for line in event_lines(event)}
    assert lines == {"From": "小王", "To": str(idle), "Why": "The assignee no longer serves the store"}
    audit = AuditLog.objects.filter(action="case_handed_over").order_by("id")
    assert [a.target for a in audit] == [f"case #{c.pk}" for c in mine]
    assert {line.label: line.value for line in audit_lines(audit[1])}["To"] == "小李"
    assert heard == [(leaver.pk, [store.pk])]


def test_taken_off_from_the_stores_side_or_by_clearing_hands_on_the_same():
    store, other = StoreFactory(), StoreFactory()
    leaver, stays = AgentFactory(stores=[store, other]), AgentFactory(stores=[store, other])
    here, there = _case(store, leaver), _case(other, leaver)
    store.agents.remove(leaver)
    assert Case.objects.get(pk=here.pk).assignee == stays
    assert Case.objects.get(pk=there.pk).assignee == leaver
    leaver.stores.clear()
    assert Case.objects.get(pk=there.pk).assignee == stays

    third = StoreFactory()
    gone, last = AgentFactory(stores=[third]), AgentFactory(stores=[third])
    case = _case(third, gone)
    third.agents.clear()
    assert Case.objects.get(pk=case.pk).assignee is None
    assert last.stores.count() == 0


def test_nobody_left_in_the_store_leaves_the_case_unassigned_where_the_manager_sees_it(client):
    store = StoreFactory()
    leaver = AgentFactory(stores=[store])
    case = _case(store, leaver)
    leaver.stores.remove(store)
    case.refresh_from_db()
    assert case.assignee is None and case.is_open
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).exists()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert f"/cases/{case.pk}/" in client.get("/cases/").text


def test_a_switched_off_login_hands_on_the_cases_of_every_store():
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other])
    stays = AgentFactory(stores=[store])
    here, there = _case(store, leaver), _case(other, leaver)
    leaver.user.last_name = "张"
    leaver.user.save()  # still active: nothing moves
    assert Case.objects.get(pk=here.pk).assignee == leaver
    leaver.user.is_active = False
    leaver.user.save()
    assert Case.objects.get(pk=here.pk).assignee == stays
    assert Case.objects.get(pk=there.pk).assignee is None
