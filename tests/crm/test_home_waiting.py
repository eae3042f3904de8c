"""The home page's "Waiting for you": each app's count of what waits for the user, over the same scope as the page
it links to (an agent's own cases, calls and gift tasks; their stores' parcels), nothing of another store."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Case
from logistics.services.delays import delays_sweep
from retention.models import GiftTask
from tests.callbacks.conftest import midday_store
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, OrderFactory
from tests.logistics.conftest import ship

pytestmark = pytest.mark.django_db


def _counts(client) -> dict[str, int]:
    page = client.get("/").content.decode()
    return {
        name: int(count)
        for name, count in re.findall(r'data-testid="waiting-(\w+)">.*?<strong[^>]*>(\d+)</strong>', page, re.S)
    }


def _case(store, agent, *, due_in: timedelta, status: str = "open") -> Case:
    return Case.objects.create(
        store=store,
        customer=CustomerFactory(store=store),
        source=Case.Source.MANUAL,
        opened_at=timezone.now(),
        assignee=agent,
        status=status,
        first_response_due=timezone.now() + due_in,
        **({"root_cause": "quality", "closed_at": timezone.now()} if status == "closed" else {}),
    )


def _world(store, agent, *, scale: int = 1):
    for _ in range(scale):
        _case(store, agent, due_in=timedelta(hours=2))
        _case(store, agent, due_in=-timedelta(hours=1))
        _case(store, agent, due_in=-timedelta(hours=1), status="closed")
        FollowUpFactory(order__customer__store=store, assignee=agent)
        FollowUpFactory(order__customer__store=store, assignee=agent, status="done")
        GiftTask.objects.create(
            store=store,
            customer=CustomerFactory(store=store),
            occasion_date=timezone.localdate() + timedelta(days=7),
            assignee=agent,
        )
        ship(OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("800.00")), hours_ago=40)
    delays_sweep(now=timezone.now())


def test_an_agent_sees_their_own_work_waiting_and_nothing_of_another_store_or_agent():
    mine, theirs = midday_store(code="mine"), midday_store(code="theirs")
    lin, wu = AgentFactory(stores=[mine]), AgentFactory(stores=[mine, theirs])
    _world(mine, lin)
    _world(mine, wu)  # a colleague's cases, calls and gift tasks: not lin's; the store's parcels are
    _world(theirs, wu)
    client = Client()
    client.force_login(lin.user)

    assert _counts(client) == {
        "cases": 2,
        "cases_waiting": 0,
        "cases_overdue": 1,
        "calls_tonight": 1,
        "parcels_at_risk": 2,
        "gift_tasks": 1,
        "reviews_after_close": 0,  # tests/reviews/test_worse_after_close.py counts them
    }


def test_a_manager_sees_their_stores_cases_and_calls():
    mine = midday_store(code="mine")
    lin, wu = AgentFactory(stores=[mine]), AgentFactory(stores=[mine])
    _world(mine, lin)
    _world(mine, wu)
    client = Client()
    client.force_login(ManagerFactory(stores=[mine]).user)

    counts = _counts(client)
    assert (counts["cases"], counts["cases_overdue"], counts["calls_tonight"]) == (4, 2, 2)
    assert counts["gift_tasks"] == 0  # none given to the manager


def test_the_home_page_costs_the_same_queries_however_much_is_waiting():
    mine = midday_store(code="mine")
    lin = AgentFactory(stores=[mine])
    client = Client()
    client.force_login(lin.user)
    _world(mine, lin)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    _world(mine, lin, scale=5)
    with CaptureQueriesContext(connection) as many:
        counts = _counts(client)
    assert counts["cases"] == 12
    assert len(many) == len(few)
