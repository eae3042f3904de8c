"""Shifts and evening capacities are held per store (ADR 0045): a manager sets them for their own store, and another
store's planning, case assignment and queue read that store's own."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from callbacks.services.planning import followups_plan
from crm.models import AgentStore, AuditLog
from crm.services.assignment import case_pick_assignees
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores():
    return (
        StoreFactory(name="Store A", code="store-a", timezone="Asia/Shanghai"),
        StoreFactory(name="Store B", code="store-b", timezone="Asia/Shanghai"),
    )


@pytest.fixture
def manager_a(client, stores):
    manager = ManagerFactory(stores=[stores[0]], user__username="a-boss", on_shift=False)  # takes no calls tonight
    client.force_login(manager.user)
    return manager


def _local(store, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(store.timezone))


def _shift_post(client, store, agent, *, on_shift: bool, capacity: int):
    prefix = f"agent-{agent.pk}"
    data = {"store": store.code, f"{prefix}-agent": agent.pk, f"{prefix}-evening_capacity": str(capacity)}
    if on_shift:
        data[f"{prefix}-on_shift"] = "on"
    return client.post(f"/manager/policy/agents/{agent.pk}/", data)


def _plan_calls(store, count: int):
    """`count` mid-value orders of the store delivered this morning, planned as tonight's calls."""
    orders = [
        OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("1500.00")) for _ in range(count)
    ]
    morning = _local(store, 2026, 11, 23, 10, 0)
    with time_machine.travel(morning, tick=False):
        return followups_plan(deliveries=[(order, morning) for order in orders])


@pytest.mark.parametrize("role_in_b", ["agent", "manager"])
def test_a_manager_taking_someone_off_shift_in_their_store_leaves_them_on_shift_in_another(
    client, stores, manager_a, role_in_b
):
    a, b = stores
    shared = (ManagerFactory if role_in_b == "manager" else AgentFactory)(stores=[b], user__username="shared")
    shared.stores.add(a, through_defaults={"on_shift": True})

    assert _shift_post(client, a, shared, on_shift=False, capacity=0).status_code == 302

    (call,) = _plan_calls(b, 1)
    assert call.assignee_id == shared.pk and not call.overflowed
    assert case_pick_assignees(store=b, count=1) == [shared]
    assert case_pick_assignees(store=a, count=1) == [None]
    (call_a,) = _plan_calls(a, 1)
    assert call_a.assignee_id is None and call_a.overflowed
    assert AuditLog.objects.get(action="agent_shift_changed").store == a


def test_a_manager_lowering_a_capacity_in_their_store_leaves_the_other_stores_evening_as_it_was(
    client, stores, manager_a
):
    a, b = stores
    shared = AgentFactory(stores=[a, b], evening_capacity=3, user__username="shared")

    assert _shift_post(client, a, shared, on_shift=True, capacity=1).status_code == 302

    calls = _plan_calls(b, 3)
    assert [call.assignee_id for call in calls] == [shared.pk] * 3 and not any(call.overflowed for call in calls)
    first, second = _plan_calls(a, 2)
    assert sorted([first.overflowed, second.overflowed]) == [False, True]


def test_a_stores_evening_fills_its_own_capacity_not_the_other_stores(stores):
    a, b = stores
    shared = AgentFactory(stores=[a, b], evening_capacity=2, user__username="shared")

    _plan_calls(a, 2)  # A's room for them tonight is full
    calls = _plan_calls(b, 2)

    assert [call.assignee_id for call in calls] == [shared.pk] * 2 and not any(call.overflowed for call in calls)


def test_the_other_stores_policy_page_and_queue_show_the_capacity_held_there(client, stores, manager_a):
    a, b = stores
    shared = AgentFactory(stores=[a, b], evening_capacity=7, user__username="shared")
    manager_b = ManagerFactory(stores=[b], user__username="b-boss")
    # Inside the store's evening: the call's window opened ten minutes before (at the real time of day, a run after
    # midnight in Shanghai found yesterday's evening ended and no call tonight).
    with time_machine.travel(_local(b, 2026, 11, 23, 18, 10), tick=False):
        FollowUpFactory(order__customer__store=b, assignee=shared)
        assert _shift_post(client, a, shared, on_shift=False, capacity=3).status_code == 302
        a_page = client.get(f"/manager/policy/?store={a.code}").text
        assert f'name="agent-{shared.pk}-evening_capacity" value="3"' in a_page

        client.force_login(manager_b.user)
        b_page = client.get(f"/manager/policy/?store={b.code}").text
        b_queue = client.get(f"/calls/?store={b.code}").text

    assert f'name="agent-{shared.pk}-evening_capacity" value="7"' in b_page
    assert f'name="agent-{shared.pk}-on_shift" id="id_agent-{shared.pk}-on_shift" checked' in b_page
    assert "1 to call · 0 done · capacity 7" in b_queue


def test_a_manager_cannot_set_a_shift_in_a_store_they_do_not_manage(client, stores, manager_a):
    a, b = stores
    shared = AgentFactory(stores=[a, b], evening_capacity=7, user__username="shared")

    assert _shift_post(client, b, shared, on_shift=False, capacity=0).status_code == 404
    stranger = AgentFactory(stores=[b])
    assert _shift_post(client, a, stranger, on_shift=False, capacity=0).status_code == 400

    (call,) = _plan_calls(b, 1)
    assert call.assignee_id in (shared.pk, stranger.pk) and not call.overflowed
    assert not AuditLog.objects.filter(action="agent_shift_changed").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_each_persons_shift_and_capacity_to_every_store_they_serve():
    executor = MigrationExecutor(connection)
    (shift_migration,) = [
        m for key, m in executor.loader.disk_migrations.items() if key[1].endswith("_shift_and_capacity_per_store")
    ]
    before = [dependency for dependency in shift_migration.dependencies if dependency[0] == "crm"]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    User, Agent, Store = (old.get_model(*name) for name in (("auth", "User"), ("crm", "Agent"), ("crm", "Store")))
    shops = [Store.objects.create(code=f"s{n}", name=f"s{n}", platform="tmall") for n in range(2)]
    busy = Agent.objects.create(user=User.objects.create(username="busy"), on_shift=True, evening_capacity=7)
    away = Agent.objects.create(user=User.objects.create(username="away"), on_shift=False, evening_capacity=30)
    busy.stores.add(*shops)
    away.stores.add(shops[1])

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = AgentStore.objects.values_list("agent__user__username", "store__code", "on_shift", "evening_capacity")
    assert sorted(rows) == [("away", "s1", False, 30), ("busy", "s0", True, 7), ("busy", "s1", True, 7)]
