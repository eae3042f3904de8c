"""A role is held per store (ADR 0045): someone who manages store A and helps out as an agent in store B is an agent
in B. They approve nothing there, open none of B's manager pages, and count as no manager of B."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from crm import roles
from crm.errors import PermissionDenied
from crm.models import AgentStore, AuditLog, Case, CaseEvent, ManagerDecision, Remedy, StoreRole
from crm.selectors import store_ids_with_another_manager, stores_for_user, stores_managed_by
from crm.services.cases import case_open, case_reassign, remedy_approve, remedy_propose
from crm.services.escalation import case_manager_decide
from crm.services.sla import cases_escalate_breached
from tests.admin_agents import memberships_form
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores():
    return StoreFactory(name="Store A", code="store-a"), StoreFactory(name="Store B", code="store-b")


@pytest.fixture
def mixed(stores):
    """A store manager of A who also serves B, as an agent there."""
    a, b = stores
    helper = ManagerFactory(stores=[a], user__username="zhou")
    helper.stores.add(b)
    return helper


def _waiting_in(store):
    proposer = AgentFactory(stores=[store])
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL)
    return remedy_propose(case=case, agent=proposer, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("5000"))


def test_a_manager_of_one_store_approves_no_remedy_of_a_store_they_serve_as_an_agent(client, stores, mixed):
    a, b = stores
    there, here = _waiting_in(b), _waiting_in(a)
    assert there.status == Remedy.Status.AWAITING_APPROVAL
    client.force_login(mixed.user)

    assert client.post(f"/manager/approvals/{there.pk}/approve/").status_code == 404
    refused = client.post(f"/cases/{there.case_id}/remedies/{there.pk}/approve", {"reason": ""})
    assert refused.status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        remedy_approve(remedy=there, manager=mixed)
    there.refresh_from_db()
    assert there.status == Remedy.Status.AWAITING_APPROVAL

    assert client.post(f"/manager/approvals/{here.pk}/approve/").status_code in (200, 302)
    here.refresh_from_db()
    assert here.status == Remedy.Status.APPROVED


def test_a_manager_of_one_store_opens_no_policy_page_of_a_store_they_serve_as_an_agent(client, stores, mixed):
    a, b = stores
    client.force_login(mixed.user)

    assert client.get(f"/manager/policy/?store={b.code}").status_code == 404
    assert client.post(
        "/manager/policy/remedy_limit/", {"store": b.code, "agent_remedy_limit": "9999"}
    ).status_code in (
        400,
        404,
    )
    b.refresh_from_db()
    assert b.agent_remedy_limit != Decimal("9999")
    page = client.get(f"/manager/policy/?store={a.code}")
    assert page.status_code == 200 and "Store B" not in page.text


def test_the_stores_a_user_manages_are_those_they_serve_as_a_manager(stores, mixed):
    a, b = stores
    assert list(stores_managed_by(user=mixed.user)) == [a]
    assert set(stores_for_user(user=mixed.user)) == {a, b}
    assert roles.is_store_manager(mixed.user) and roles.manages_store(mixed.user, a)
    assert not roles.manages_store(mixed.user, b) and not roles.agent_manages_store(mixed, b)
    # The group alone manages nothing: a manager's account that serves every store as an agent has no manager pages.
    helper = ManagerFactory()
    helper.stores.add(a, b)
    assert not roles.is_store_manager(helper.user) and not stores_managed_by(user=helper.user).exists()
    # Nor does a manager's role on an account outside the store managers' group.
    agent = AgentFactory()
    agent.stores.add(a, through_defaults={"role": StoreRole.MANAGER})
    assert not stores_managed_by(user=agent.user).exists()


def test_the_case_list_shows_every_case_of_the_managed_store_and_only_their_own_in_the_other(client, stores, mixed):
    a, b = stores
    colleague = AgentFactory(stores=[a, b])
    cases = {}
    for store in (a, b):
        for who in (mixed, colleague):
            cases[store.code, who.pk], _ = case_open(
                store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL, assignee=who
            )
    client.force_login(mixed.user)

    listed = client.get("/cases/?status=all").text
    shown = {key for key, case in cases.items() if f"/cases/{case.pk}/" in listed}
    assert shown == {("store-a", mixed.pk), ("store-a", colleague.pk), ("store-b", mixed.pk)}
    # Nor does filtering by the colleague show the colleague's cases in B.
    theirs = client.get(f"/cases/?status=all&assignee={colleague.pk}").text
    assert f"/cases/{cases['store-b', colleague.pk].pk}/" not in theirs
    assert f"/cases/{cases['store-a', colleague.pk].pk}/" in theirs


def test_the_case_page_offers_the_managers_actions_only_in_the_managed_store(client, stores, mixed):
    a, b = stores
    there, here = _waiting_in(b), _waiting_in(a)
    client.force_login(mixed.user)

    page = client.get(f"/cases/{there.case_id}/").text
    assert f"/remedies/{there.pk}/approve" not in page and f"/cases/{there.case_id}/reassign" not in page
    page = client.get(f"/cases/{here.case_id}/").text
    assert f"/remedies/{here.pk}/approve" in page and f"/cases/{here.case_id}/reassign" in page
    colleague = AgentFactory(stores=[b])
    assert client.post(f"/cases/{there.case_id}/reassign", {"assignee": colleague.pk}).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        case_reassign(case=there.case, assignee=colleague, manager=mixed)
    with pytest.raises(PermissionDenied):
        case_manager_decide(case=there.case, manager=mixed, decision=ManagerDecision.PLATFORM_DISPUTE, note="x")
    there.case.refresh_from_db()
    assert there.case.assignee != colleague and not there.case.manager_decision


def test_someone_who_serves_the_store_as_an_agent_is_no_second_manager_for_four_eyes(stores, mixed):
    """ADR 0038: a manager's own proposal is approved by another manager of the store, if there is one. A manager
    of another store helping out here as an agent is none: the store's only manager approves it, self-approved."""
    _a, b = stores
    owner = ManagerFactory(stores=[b])
    case, _ = case_open(store=b, customer=CustomerFactory(store=b), source=Case.Source.CALL)
    own = remedy_propose(case=case, agent=owner, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("5000"))

    assert store_ids_with_another_manager(store_ids=[b.pk], user=owner.user) == set()
    approved = remedy_approve(remedy=own, manager=owner)
    assert approved.status == Remedy.Status.APPROVED and approved.self_approved


def test_a_breach_is_escalated_to_the_managers_of_the_store_not_to_those_who_serve_it_as_agents(stores, mixed):
    _a, b = stores
    owner = ManagerFactory(stores=[b])
    case, _ = case_open(
        store=b, customer=CustomerFactory(store=b), source=Case.Source.REVIEW, triage_group=Case.TriageGroup.PRIORITY
    )
    assert cases_escalate_breached(now=case.first_response_due + timedelta(minutes=1)) == [case.pk]
    (event,) = case.events.filter(kind=CaseEvent.Kind.ESCALATED)
    assert event.data["managers"] == [owner.user_id]


def test_the_manager_pages_of_the_other_store_are_a_404_and_show_nothing_of_it(client, stores, mixed):
    _a, b = stores
    waiting = _waiting_in(b)
    AuditLog.objects.create(action="remedy_limit_changed", store=b, target="store b", at=timezone.now())
    client.force_login(mixed.user)

    for url in (
        f"/manager/policy/?store={b.code}",
        f"/manager/reports/?store={b.code}",
        f"/manager/audit/?store={b.code}",
        f"/manager/escalations/?store={b.code}",
        f"/logistics/settings/?store={b.code}",
        f"/reviews/settings/{b.pk}/",
        f"/letters/rule/?store={b.code}",
    ):
        assert client.get(url).status_code in (400, 404), url
    approvals = client.get("/manager/approvals/")
    assert approvals.status_code == 200 and f"remedy-{waiting.pk}" not in approvals.text
    audit = client.get("/manager/audit/").text
    assert "store b" not in audit


def test_the_admin_shows_and_sets_the_role_in_each_store(admin_client, stores, mixed):
    a, b = stores
    listed = admin_client.get("/admin/crm/agent/").text
    assert (
        "Store A: store manager, on shift, evening capacity 20; Store B: agent, off shift, evening capacity 20"
        in listed
    )
    page = admin_client.get(f"/admin/crm/agent/{mixed.pk}/change/").text
    assert 'name="memberships-0-role"' in page and 'name="memberships-1-role"' in page

    data = {"user": mixed.user_id, "phone": mixed.phone}
    answer = admin_client.post(
        f"/admin/crm/agent/{mixed.pk}/change/", data | memberships_form(mixed, roles={b.pk: StoreRole.MANAGER})
    )
    assert answer.status_code == 302
    mixed.user = type(mixed.user).objects.get(pk=mixed.user_id)  # the role as read by a new request
    assert set(stores_managed_by(user=mixed.user)) == {a, b}


def test_the_admin_refuses_a_managers_role_to_an_account_outside_the_store_managers_group(admin_client, stores):
    a, _b = stores
    agent = AgentFactory(stores=[a])
    data = {"user": agent.user_id, "phone": agent.phone}
    answer = admin_client.post(
        f"/admin/crm/agent/{agent.pk}/change/", data | memberships_form(agent, roles={a.pk: StoreRole.MANAGER})
    )
    assert answer.status_code == 200 and "store managers&#x27; group" in answer.text
    assert agent.memberships.get().role == StoreRole.AGENT


def test_the_admin_refuses_a_managers_role_on_a_new_profile_of_an_account_outside_the_group(admin_client, stores):
    """The add page too: the role would grant nothing today, and make a manager of the store the day the account joins
    the group for another store; the agent list would meanwhile call them its manager."""
    a, _b = stores
    user = UserFactory(username="newcomer")
    data = {"user": user.pk, "phone": "+8613900000009"}

    answer = admin_client.post(
        "/admin/crm/agent/add/", data | memberships_form(None, stores=[a.pk], roles={a.pk: StoreRole.MANAGER})
    )

    assert answer.status_code == 200 and "store managers&#x27; group" in answer.text
    assert not AgentStore.objects.filter(agent__user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_a_managers_account_manager_of_every_store_it_served_and_others_agents():
    executor = MigrationExecutor(connection)
    (roles_migration,) = [
        m for key, m in executor.loader.disk_migrations.items() if key[1].endswith("_agent_store_roles")
    ]
    before = [dependency for dependency in roles_migration.dependencies if dependency[0] == "crm"]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    group = old.get_model("auth", "Group").objects.get_or_create(name=roles.STORE_MANAGER)[0]
    User, Agent, Store = (old.get_model(*name) for name in (("auth", "User"), ("crm", "Agent"), ("crm", "Store")))
    shops = [Store.objects.create(code=f"s{n}", name=f"s{n}", platform="tmall") for n in range(2)]
    boss, clerk = (Agent.objects.create(user=User.objects.create(username=name)) for name in ("boss", "clerk"))
    group.user_set.add(boss.user_id)
    for agent in (boss, clerk):
        agent.stores.add(*shops)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = AgentStore.objects.values_list("agent__user__username", "role").order_by("agent__user__username")
    assert sorted(rows) == [("boss", "manager"), ("boss", "manager"), ("clerk", "agent"), ("clerk", "agent")]
