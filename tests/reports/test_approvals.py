"""The manager's approvals page: four eyes on a manager's own proposal (ADR 0040), and what a hostile click does."""

from decimal import Decimal

import pytest

from crm.models import AuditLog, Case, Remedy
from crm.services.cases import case_open, remedy_propose
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db
ZH = {"accept-language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def store():
    return StoreFactory(name="Store A")


@pytest.fixture
def manager(store):
    return ManagerFactory(stores=[store], user__username="zhao", user__first_name="", user__last_name="")


def _proposed(store, proposer, cost="800"):
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL)
    return remedy_propose(case=case, agent=proposer, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal(cost))


def test_a_managers_own_proposal_offers_no_approve_while_another_manager_serves_the_store(client, store, manager):
    ManagerFactory(stores=[store])
    own = _proposed(store, manager)
    client.force_login(manager.user)

    row = client.get("/manager/approvals/").text.split(f'data-testid="remedy-{own.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="own-proposal"' in row and "another manager of the store approves it" in row
    assert f"/manager/approvals/{own.pk}/approve/" not in row
    assert f"/manager/approvals/{own.pk}/decline/" in row  # declining pays nothing out
    chinese = client.get("/manager/approvals/", headers=ZH).text
    assert "这是您提出的补偿方案，需由本店另一位主管审批。" in chinese

    refused = client.post(f"/manager/approvals/{own.pk}/approve/")
    assert refused.status_code == 403 and "another manager of the store approves it" in refused.text
    refused = client.post(f"/manager/approvals/{own.pk}/approve/", headers={"HX-Request": "true"})
    assert refused.status_code == 403 and 'data-code="remedy_own_proposal"' in refused.text
    own.refresh_from_db()
    assert own.status == Remedy.Status.AWAITING_APPROVAL
    assert not AuditLog.objects.filter(action="remedy_approved").exists()


def test_the_only_manager_approves_their_own_proposal_and_the_approval_shows_as_self_approved(client, store, manager):
    own = _proposed(store, manager)
    client.force_login(manager.user)

    page = client.get("/manager/approvals/", headers=ZH).text
    assert 'data-testid="self-approval-note"' in page and "您是本店唯一的主管" in page
    row = client.post(f"/manager/approvals/{own.pk}/approve/", headers={"HX-Request": "true"})

    assert row.status_code == 200 and 'data-testid="self-approved"' in row.text
    own.refresh_from_db()
    assert own.status == Remedy.Status.APPROVED and own.self_approved
    # Whoever oversees the store sees it afterwards: the approvals page, the case page, the audit log.
    page = client.get("/manager/approvals/").text
    listed = page.split('data-testid="self-approved-list"')[1]
    assert f"#{own.case_id}" in listed and "zhao" in listed
    superuser = AgentFactory(user__is_superuser=True, user__is_staff=True).user
    client.force_login(superuser)
    assert f"#{own.case_id}" in client.get("/manager/approvals/").text.split('data-testid="self-approved-list"')[1]
    client.force_login(manager.user)
    case_page = client.get(f"/cases/{own.case_id}/").text
    assert 'data-testid="remedy-self-approved"' in case_page
    audit = client.get("/manager/audit/", headers=ZH).text
    assert "自行审批(本店唯一主管)" in audit


def test_the_case_page_offers_no_approve_on_a_managers_own_proposal_while_another_manager_can(client, store, manager):
    ManagerFactory(stores=[store])
    own = _proposed(store, manager)
    client.force_login(manager.user)
    page = client.get(f"/cases/{own.case_id}/").text
    assert f"/cases/{own.case_id}/remedies/{own.pk}/approve" not in page
    assert 'data-testid="own-proposal"' in page
    assert client.post(f"/cases/{own.case_id}/remedies/{own.pk}/approve").status_code == 403
    own.refresh_from_db()
    assert own.status == Remedy.Status.AWAITING_APPROVAL
