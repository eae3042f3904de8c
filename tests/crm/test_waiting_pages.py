"""Waiting on the customer from the pages: the case workspace's wait and resume forms (through the real views), the
case list's filter and column, the home page's line, the policy page's longest wait; bad input and other stores."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from crm.models import AuditLog, Case, CasePolicy
from crm.services.cases import case_close, case_open
from crm.services.waiting import case_wait
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db
ASKED = "请拍一张外盒破损的照片"


@pytest.fixture
def store():
    return StoreFactory(name="甲店")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


@pytest.fixture
def case(store, agent):
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, assignee=agent)
    return case


@pytest.fixture
def client(agent):
    client = Client()
    client.force_login(agent.user)
    return client


def _messages(response) -> list[str]:
    return re.findall(r'<ul class="messages">(.*?)</ul>', response.text, re.S)


def test_an_agent_sets_a_case_waiting_on_the_customer_and_resumes_it_from_the_case_page(client, case):
    response = client.post(f"/cases/{case.pk}/wait", {"asked": ASKED})
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CUSTOMER and case.waiting_for == ASKED

    page = client.get(f"/cases/{case.pk}/").text
    assert 'data-testid="case-status">Waiting on the customer<' in page
    assert ASKED in page and 'data-testid="resume-form"' in page and 'data-testid="wait-form"' not in page
    assert "Resolution clock paused" in page

    client.post(f"/cases/{case.pk}/resume", {"note": "顾客在旺旺发来了照片"})
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    page = client.get(f"/cases/{case.pk}/").text
    assert "Resumed because" in page and "Resumed by the agent" in page and 'data-testid="wait-form"' in page
    assert AuditLog.objects.filter(action__in=["case_waiting", "case_resumed"]).count() == 2


def test_bad_wait_and_resume_requests_get_a_clear_message_never_a_500(client, case, agent):
    response = client.post(f"/cases/{case.pk}/wait", {"asked": "  "}, follow=True)
    assert response.status_code == 200
    assert "What you asked the customer for: This field is required." in response.text

    response = client.post(f"/cases/{case.pk}/resume", {}, follow=True)
    assert "The case is not waiting on the customer" in response.text

    client.post(f"/cases/{case.pk}/wait", {"asked": ASKED})
    response = client.post(f"/cases/{case.pk}/wait", {"asked": ASKED}, follow=True)  # a double click
    assert response.status_code == 200 and not _messages(response)
    response = client.post(f"/cases/{case.pk}/wait", {"asked": "请提供地址"}, follow=True)  # a stale form
    assert "already waits on the customer since" in response.text

    client.post(f"/cases/{case.pk}/resume", {})
    response = client.post(f"/cases/{case.pk}/resume", {}, follow=True)  # a double click
    assert "It was resumed" in response.text and "Resumed by the agent" in response.text

    case_close(case=case, root_cause="supplier_defect", actor=agent.user)
    response = client.post(f"/cases/{case.pk}/wait", {"asked": ASKED}, follow=True)
    assert "The case is closed: there is nothing to wait for." in response.text
    assert client.get(f"/cases/{case.pk}/wait").status_code == 405
    assert Case.objects.get(pk=case.pk).events.filter(kind="awaiting_customer").count() == 1


def test_an_agent_of_another_store_gets_404_for_wait_and_resume(case):
    stranger = Client()
    stranger.force_login(AgentFactory(stores=[StoreFactory()]).user)
    assert stranger.post(f"/cases/{case.pk}/wait", {"asked": ASKED}).status_code == 404
    case_wait(case=case, actor=None, asked=ASKED)
    assert stranger.post(f"/cases/{case.pk}/resume", {}).status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_CUSTOMER


def test_the_case_list_filters_by_waiting_and_shows_when_each_resumes(client, case, store, agent):
    other, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, assignee=agent)
    case_wait(case=case, actor=agent.user, asked=ASKED)
    page = client.get("/cases/").text
    assert f"case-row-{case.pk}" in page and f"case-row-{other.pk}" in page  # still an open case
    assert 'data-testid="count-awaiting-customer">1<' in page
    page = client.get("/cases/?status=awaiting_customer").text
    assert f"case-row-{case.pk}" in page and f"case-row-{other.pk}" not in page
    assert "resumes" in page and 'value="awaiting_customer" selected' in page


def test_the_home_page_counts_a_waiting_case_as_open_and_says_how_many_wait(client, case, agent):
    case_wait(case=case, actor=agent.user, asked=ASKED)
    page = client.get("/").text
    counts = dict(re.findall(r'data-testid="waiting-(\w+)">.*?<strong[^>]*>(\d+)</strong>', page, re.S))
    assert (counts["cases"], counts["cases_waiting"], counts["cases_overdue"]) == ("1", "1", "0")
    assert "/cases/?status=awaiting_customer" in page


def test_the_pages_speak_chinese(client, case, agent, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(f"/cases/{case.pk}/", headers={"accept-language": "zh-hans"}).text
    assert "等待顾客回复" in page and "已向顾客询问" in page
    case_wait(case=case, actor=agent.user, asked=ASKED)
    page = client.get(f"/cases/{case.pk}/", headers={"accept-language": "zh-hans"}).text
    assert "顾客已回复，恢复处理" in page and "解决时限已暂停" in page


def test_a_manager_sets_the_stores_longest_wait_on_the_policy_page(store):
    manager = Client()
    manager.force_login(ManagerFactory(stores=[store]).user)
    form = {"store": store.code, "assignment": "least_loaded", "service_start": "09:00", "service_end": "21:00"}
    manager.post("/manager/policy/case/", {**form, "max_wait_days": "5"})
    assert CasePolicy.objects.get(store=store).max_wait_days == 5
    response = manager.post("/manager/policy/case/", {**form, "max_wait_days": "0"})
    assert response.status_code in (200, 400) and CasePolicy.objects.get(store=store).max_wait_days == 5
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL)
    case = case_wait(case=case, actor=None, asked=ASKED)
    assert case.waiting_until - case.waiting_since == timedelta(days=5)
    assert case.waiting_since <= timezone.now()
