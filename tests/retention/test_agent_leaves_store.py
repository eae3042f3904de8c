"""An agent taken off a store hands on their open gift tasks there (retention.services.gifts.gift_tasks_hand_over)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import AuditLog
from retention.models import GiftTask
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _task(store, agent, *, status=GiftTask.Status.OPEN, **customer) -> GiftTask:
    task = GiftTask.objects.create(
        store=store,
        customer=CustomerFactory(store=store, **customer),
        occasion_date=timezone.localdate() + timedelta(days=7),
        assignee=agent,
        status=status,
    )
    return task


def _assignee(task):
    task.refresh_from_db()
    return task.assignee


def test_open_gift_tasks_go_to_whom_a_new_task_would_go():
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other])
    busy, idle = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    _task(store, busy)
    mine = [_task(store, leaver) for _ in range(2)]
    owned = _task(store, leaver, dedicated_owner=busy)  # the customer's owner serves the store: theirs
    cancelled = _task(store, leaver, status=GiftTask.Status.CANCELLED)
    elsewhere = _task(other, leaver)

    leaver.stores.remove(store)

    assert [_assignee(t) for t in mine] == [idle, busy]
    assert _assignee(owned) == busy
    assert _assignee(cancelled) == leaver
    assert _assignee(elsewhere) == leaver  # a store they still serve
    audit = AuditLog.objects.get(action="gift_task.reassigned", target=f"gift_task:{mine[0].pk}")
    assert audit.data == {"from_agent_id": leaver.pk, "to_agent_id": idle.pk, "why": "assignee_left_store"}


def test_nobody_left_leaves_the_gift_task_unassigned_on_the_managers_gift_page(client):
    store = StoreFactory()
    leaver = AgentFactory(stores=[store])
    task = _task(store, leaver, name="林晓")
    store.agents.clear()
    assert _assignee(task) is None
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    page = client.get(f"/retention/{store.pk}/gifts/").text
    assert f'id="gift-task-{task.pk}"' in page and "林晓" in page


def test_a_switched_off_login_hands_on_the_gift_tasks_of_every_store():
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other])
    here, there = AgentFactory(stores=[store]), AgentFactory(stores=[other])
    tasks = _task(store, leaver), _task(other, leaver)
    leaver.user.is_active = False
    leaver.user.save()
    assert [_assignee(t) for t in tasks] == [here, there]
