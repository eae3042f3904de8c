"""Every list page that takes ?store= reads it through crm.pages.store_filter: a store the user does not serve, or a
value that names no store at all, is a 404 (not a filter silently reset or ignored), an empty one is every store of
theirs, and one of theirs shows that store's rows only."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.models import Case, Remedy
from crm.services.cases import case_open, remedy_propose
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db

AGENT_PAGES = ["/calls/", "/cases/", "/customers/", "/customers/?mine=1"]
MANAGER_PAGES = [*AGENT_PAGES, "/manager/approvals/", "/manager/escalations/", "/manager/audit/", "/reviews/"]
# Inside the stores' evening (Shanghai), so tonight's calls are listed.
EVENING = datetime(2026, 11, 23, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def stores():
    """A and C are served, B is not."""
    return StoreFactory(code="store-a"), StoreFactory(code="store-b"), StoreFactory(code="store-c")


def _with_store(url: str, code: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}store={code}"


def _work(store, agent, name: str):
    """A customer of `store` with tonight's call, a case assigned to the agent and a remedy awaiting approval."""
    customer = CustomerFactory(store=store, name=name, dedicated_owner=agent)
    FollowUpFactory(order__customer=customer, assignee=agent)
    case, _ = case_open(store=store, customer=customer, source=Case.Source.CALL, assignee=agent)
    remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("900"))


@pytest.mark.parametrize("url", AGENT_PAGES)
@pytest.mark.parametrize("code", ["store-b", "no-such-store", "store a!"])
def test_an_agent_asking_for_a_store_they_do_not_serve_or_none_at_all_gets_a_404(client, stores, url, code):
    a, _b, _c = stores
    client.force_login(AgentFactory(stores=[a]).user)

    assert client.get(_with_store(url, code)).status_code == 404
    assert client.get(_with_store(url, "store-a")).status_code == 200
    assert client.get(_with_store(url, "")).status_code == 200  # all my stores


@pytest.mark.parametrize("url", MANAGER_PAGES)
@pytest.mark.parametrize("code", ["store-b", "no-such-store", "store a!"])
def test_a_manager_asking_for_a_store_they_do_not_serve_or_none_at_all_gets_a_404(client, stores, url, code):
    a, _b, _c = stores
    client.force_login(ManagerFactory(stores=[a]).user)

    assert client.get(_with_store(url, code)).status_code == 404
    assert client.get(_with_store(url, "store-a")).status_code == 200


@pytest.mark.parametrize("url", AGENT_PAGES)
def test_an_agent_asking_for_one_of_their_stores_sees_its_rows_only(client, stores, url):
    a, _b, c = stores
    agent = AgentFactory(stores=[a, c])
    with time_machine.travel(EVENING, tick=False):
        _work(a, agent, "甲店客户")
        _work(c, agent, "丙店客户")
        client.force_login(agent.user)
        both = client.get(url).text
        only_a = client.get(_with_store(url, "store-a")).text

    assert "甲店客户" in both and "丙店客户" in both
    assert "甲店客户" in only_a and "丙店客户" not in only_a
    assert '<option value="store-a" selected>' in only_a


def test_a_manager_asking_for_one_of_their_stores_sees_its_approvals_only(client, stores):
    a, _b, c = stores
    agent = AgentFactory(stores=[a, c])
    manager = ManagerFactory(stores=[a, c])
    _work(a, agent, "甲店客户")
    _work(c, agent, "丙店客户")
    client.force_login(manager.user)

    both = client.get("/manager/approvals/").text
    only_a = client.get("/manager/approvals/?store=store-a").text

    assert "甲店客户" in both and "丙店客户" in both
    assert "甲店客户" in only_a and "丙店客户" not in only_a
    assert '<option value="store-a" selected>' in only_a


def test_the_queue_and_case_list_filters_name_stores_by_code(client, stores):
    a, _b, c = stores
    client.force_login(AgentFactory(stores=[a, c]).user)

    for url in ("/calls/", "/cases/"):
        page = client.get(url).text
        assert '<option value="store-a">' in page and '<option value="store-c">' in page
        assert client.get(_with_store(url, str(a.pk))).status_code == 404  # a store's id names no store
