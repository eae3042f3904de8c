"""The manager's approvals page: four eyes on a manager's own proposal (ADR 0038), and what a hostile click does."""

from decimal import Decimal

import pytest

from crm.models import AuditLog, Case, Remedy, StoreRole
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
    assert "自行审批（本店唯一主管）" in audit


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


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_approvals_pages_queries_do_not_grow_with_its_rows(client, store, manager):
    other_store = StoreFactory(name="Store B")
    manager.stores.add(other_store, through_defaults={"role": StoreRole.MANAGER})
    client.force_login(manager.user)
    _proposed(store, AgentFactory(stores=[store]))
    _proposed(store, manager)
    from crm.services.cases import remedy_approve

    remedy_approve(remedy=_proposed(store, manager), manager=manager)
    one = _queries(client, "/manager/approvals/")
    for shop in (store, other_store, other_store):
        _proposed(shop, AgentFactory(stores=[shop]))
        _proposed(shop, manager)
        remedy_approve(remedy=_proposed(shop, manager), manager=manager)
    assert _queries(client, "/manager/approvals/") == one


def test_the_escalations_pages_queries_do_not_grow_with_its_rows(client, store, manager):
    from datetime import timedelta

    from django.utils import timezone

    from crm.services.cases import case_escalate
    from crm.services.escalation import case_negotiation_fail
    from crm.services.sla import cases_escalate_breached

    client.force_login(manager.user)

    def rows():
        agent = AgentFactory(stores=[store])
        late, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
        Case.objects.filter(pk=late.pk).update(first_response_due=timezone.now() - timedelta(hours=1), assignee=agent)
        case_escalate(case=late)
        difficult, _ = case_open(
            store=store,
            customer=CustomerFactory(store=store, contact_preference="no_calls"),
            source=Case.Source.REVIEW,
            triage_group=Case.TriageGroup.DIFFICULT,
        )
        Case.objects.filter(pk=difficult.pk).update(assignee=None)
        case_negotiation_fail(case=difficult, actor=agent.user, offered=["quality:coupon"], note="不接受")

    rows()
    cases_escalate_breached()
    one = _queries(client, "/manager/escalations/")
    for _ in range(3):
        rows()
    cases_escalate_breached()
    assert _queries(client, "/manager/escalations/") == one


def test_a_superuser_who_manages_no_store_reads_the_approvals_without_buttons_that_would_refuse_them(client, store):
    """The operator opened the approvals queue (a superuser sees every store's) and clicked Approve: a 403, "Only a
    manager of this store can decide on a remedy", on a button the page had offered."""
    remedy = _proposed(store, AgentFactory(stores=[store]))
    client.force_login(AgentFactory(user__is_superuser=True, user__is_staff=True).user)

    page = client.get("/manager/approvals/").text
    row = page.split(f'data-testid="remedy-{remedy.pk}"')[1].split("</tr>")[0]

    assert f"/manager/approvals/{remedy.pk}/" not in row  # neither approve nor decline
    assert 'data-testid="decided-by-managers"' in row
    chinese = client.get("/manager/approvals/", headers=ZH).text
    assert "由本店主管审批" in chinese


def test_a_case_an_agent_escalates_before_any_deadline_is_on_the_managers_escalations_with_why(client, store, manager):
    """The agent assessed a complaint as severe (the case is escalated: "the manager is told now"), but the
    escalations page listed only late, unassigned, difficult and failed cases: the manager heard of it only once
    it was late."""
    from datetime import timedelta

    from crm.services.complaint import complaint_assess, complaint_confirm
    from crm.services.sla import cases_escalate_breached

    agent = AgentFactory(stores=[store], user__username="lin")
    case, _ = case_open(store=store, customer=CustomerFactory(store=store, name="周女士"), source=Case.Source.CALL)
    Case.objects.filter(pk=case.pk).update(assignee=agent)
    complaint_confirm(case=case, actor=agent.user, customer_asks="全额退款")
    complaint_assess(case=case, actor=agent.user, severity="severe", note="顾客说要找媒体曝光")
    quiet, _ = case_open(store=store, customer=CustomerFactory(store=store, name="吴先生"), source=Case.Source.CALL)
    late, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
    cases_escalate_breached(now=late.first_response_due + timedelta(minutes=1))  # the sweep's: on the late list
    client.force_login(manager.user)

    page = client.get("/manager/escalations/", headers=ZH).text

    section = page.split('data-testid="escalated"')[1].split("</section>")[0]
    assert f"/cases/{case.pk}/" in section and "顾客说要找媒体曝光" in section and "lin" in section
    assert f"/cases/{quiet.pk}/" not in section and f"/cases/{late.pk}/" not in section
    assert 'data-testid="all-clear"' not in page


def test_a_decision_posted_from_another_site_without_the_csrf_token_is_refused(store, manager):
    from django.test import Client

    remedy = _proposed(store, AgentFactory(stores=[store]))
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager.user)
    assert browser.post(f"/manager/approvals/{remedy.pk}/approve/").status_code == 403
    assert browser.post(f"/cases/{remedy.case_id}/remedies/{remedy.pk}/approve").status_code == 403
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_a_decision_posted_twice_by_the_same_manager_is_the_first_one_not_an_error(client, store, manager, decision):
    """A double click (or the form sent again after a slow answer): the second post said in red "This remedy was
    already decided: Approved by zhao." to zhao, who had just decided it, as if something had gone wrong."""
    remedy = _proposed(store, AgentFactory(stores=[store]))
    client.force_login(manager.user)
    url, body = f"/manager/approvals/{remedy.pk}/{decision}/", {"reason": "超出补偿标准"}
    client.post(url, body, follow=True)

    again = client.post(url, body, follow=True)
    row = client.post(url, body, headers={"HX-Request": "true"})

    assert [str(m) for m in again.context["messages"]] == ["Decision recorded."]
    assert 'role="alert"' not in row.text and 'data-testid="decision"' in row.text
    assert AuditLog.objects.filter(action__startswith="remedy_").count() == 1
    assert remedy.case.events.filter(kind__in=["remedy_approved", "remedy_declined"]).count() == 1


def test_a_manager_who_approved_in_one_tab_and_declines_in_another_is_told_it_was_approved(client, store, manager):
    remedy = _proposed(store, AgentFactory(stores=[store]))
    client.force_login(manager.user)
    client.post(f"/manager/approvals/{remedy.pk}/approve/")
    row = client.post(f"/manager/approvals/{remedy.pk}/decline/", {"reason": "改主意"}, headers={"HX-Request": "true"})
    assert "This remedy was already decided: Approved by zhao." in row.text
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.APPROVED


def test_the_self_approved_list_reads_its_partial_index_not_every_remedy(store, manager):
    """The list is read on every visit to the approvals page; self-approvals are a handful among all remedies."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from crm.services.cases import remedy_approve
    from reports.selectors import remedies_self_approved
    from tests.query_plans import scans_of

    template = _proposed(store, AgentFactory(stores=[store]))
    remedy_approve(remedy=_proposed(store, manager), manager=manager)
    columns = [f.column for f in Remedy._meta.concrete_fields if f.column not in {"id", "decided_at", "self_approved"}]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO crm_remedy (decided_at, self_approved, {', '.join(columns)}) "  # noqa: S608
            f"SELECT now() - n * interval '1 minute', false, {', '.join(columns)} "
            "FROM crm_remedy, generate_series(1, 20000) AS n WHERE id = %s",
            [template.pk],
        )
        cursor.execute("ANALYZE crm_remedy")

    with CaptureQueriesContext(connection) as queries:
        listed = remedies_self_approved(user=manager.user, now=timezone.now())

    assert [remedy.self_approved for remedy in listed] == [True]
    [sql] = [q["sql"] for q in queries if '"crm_remedy"."self_approved"' in q["sql"]]
    assert ("Index Scan", "remedy_self_approved") in scans_of(sql, "crm_remedy")


def test_the_approvals_row_shows_what_the_customer_is_given_in_total_and_from_which_cases(client, store, manager):
    """A voucher of 100 waited with the limit at 200 beside it: the manager saw no reason it was there (the customer
    had 150 from a case about their other order)."""
    from tests.factories import OrderFactory

    agent = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store, name="钱女士")
    first, _ = case_open(store=store, customer=customer, order=OrderFactory(customer=customer), source=Case.Source.CALL)
    remedy_propose(case=first, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("150"))
    second, _ = case_open(
        store=store, customer=customer, order=OrderFactory(customer=customer), source=Case.Source.CALL
    )
    waiting = remedy_propose(case=second, agent=agent, kind=Remedy.Kind.COUPON, cost=Decimal("100"))
    assert waiting.status == Remedy.Status.AWAITING_APPROVAL
    client.force_login(manager.user)

    page = client.get("/manager/approvals/", headers=ZH).text

    row = page.split(f'data-testid="remedy-{waiting.pk}"')[1].split("</tr>")[0]
    given = row.split('data-testid="given"')[1].split("</td>")[0]
    assert "¥250.00" in given and f"/cases/{first.pk}/" in given and "¥200.00" in row
    assert "合计给予" in page


def test_an_approve_refused_on_a_stale_page_is_said_inside_its_row_and_the_row_stays_a_row(client, store, manager):
    """The store's only manager loaded the approvals (their own proposal offered Approve) and a second manager joined
    before the click: the refusal's message, a bare <div>, replaced the whole table row."""
    own = _proposed(store, manager)
    client.force_login(manager.user)
    assert f"/manager/approvals/{own.pk}/approve/" in client.get("/manager/approvals/").text
    ManagerFactory(stores=[store])

    row = client.post(f"/manager/approvals/{own.pk}/approve/", headers={"HX-Request": "true", **ZH})

    assert row.status_code == 403
    assert row.text.lstrip().startswith(f'<tr id="remedy-{own.pk}"') and row.text.rstrip().endswith("</tr>")
    alert = row.text.split('role="alert"')[1].split("</p>")[0]
    assert 'data-code="remedy_own_proposal"' in alert and "另一位主管" in alert
    # The row offers what the rule allows now: the decline, not the approve.
    assert f"/manager/approvals/{own.pk}/approve/" not in row.text
    assert f"/manager/approvals/{own.pk}/decline/" in row.text
    own.refresh_from_db()
    assert own.status == Remedy.Status.AWAITING_APPROVAL


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_a_decision_without_javascript_goes_back_to_the_store_the_manager_was_filtering_on(client, store, decision):
    # The redirect went to /manager/approvals/, "All my stores": the filter the manager was working through was lost.
    other = StoreFactory(name="Store B")
    manager = ManagerFactory(stores=[store, other])
    remedy = _proposed(store, AgentFactory(stores=[store]))
    client.force_login(manager.user)
    page = client.get(f"/manager/approvals/?store={store.code}").text
    row = page.split(f'data-testid="remedy-{remedy.pk}"')[1].split("</form>")[0]
    assert f'name="store" value="{store.code}"' in row  # the form posts the filter back

    answer = client.post(f"/manager/approvals/{remedy.pk}/{decision}/", {"reason": "超出补偿标准", "store": store.code})

    assert (answer.status_code, answer["Location"]) == (302, f"/manager/approvals/?store={store.code}")
    remedy.refresh_from_db()
    assert remedy.status == ("approved" if decision == "approve" else "declined")


def test_a_decision_posted_with_a_store_the_manager_does_not_serve_is_404_and_decides_nothing(client, store, manager):
    remedy = _proposed(store, AgentFactory(stores=[store]))
    elsewhere = StoreFactory(name="Store C")
    client.force_login(manager.user)

    assert client.post(f"/manager/approvals/{remedy.pk}/approve/", {"store": elsewhere.code}).status_code == 404
    assert client.post(f"/manager/approvals/{remedy.pk}/approve/", {"store": "no-such-store"}).status_code == 404
    remedy.refresh_from_db()
    assert remedy.status == "awaiting_approval"
    # No filter (All my stores): back to the page unfiltered, as before.
    answer = client.post(f"/manager/approvals/{remedy.pk}/approve/", {"store": ""})
    assert (answer.status_code, answer["Location"]) == (302, "/manager/approvals/")
