from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from crm.models import Case, CaseEvent
from crm.services.cases import case_add_event, case_close, case_open, remedy_propose
from tests.factories import AgentFactory, CustomerFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    store = StoreFactory(timezone="Asia/Shanghai")
    agent = AgentFactory(stores=[store], user__first_name="小林")
    with time_machine.travel(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, summary="划痕")
        case_add_event(case=case, kind=CaseEvent.Kind.CALL, actor=agent.user, message="道歉并了解情况")
        remedy_propose(case=case, agent=agent, kind="gift", cost=Decimal("30"), description="小礼品")
    return case


def test_the_timeline_shows_every_event_with_who_and_when_in_store_time_and_the_sla_left(client, case):
    client.force_login(case.assignee.user)
    with time_machine.travel(datetime(2026, 11, 23, 3, 0, tzinfo=UTC), tick=False):
        page = client.get(f"/cases/{case.pk}/").text
    assert page.count("<li data-kind=") == 3
    assert "2026-11-23 10:00" in page and "道歉并了解情况" in page and "小林" in page
    assert "Remedy proposed" in page and "Small gift" in page
    # First response came by call at 10:00, so the resolution clock shows: 36 working hours from 10:00.
    assert "left" in page.split('data-testid="sla"')[1].split("</dd>")[0]
    # Readable: no internal keys or ids in the timeline.
    timeline = page.split('data-testid="timeline"')[1]
    assert "remedy_id" not in timeline and "needs_approval" not in timeline and "True" not in timeline
    assert "Asia/Shanghai" in timeline


def test_the_old_timeline_address_leads_to_the_case_page(client, case):
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/{case.pk}/timeline/").url == f"/cases/{case.pk}/"


def test_someone_who_does_not_serve_the_store_cannot_open_the_timeline(client, case):
    client.force_login(AgentFactory(stores=[StoreFactory()]).user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/timeline/").status_code == 404
    assert client.post(f"/cases/{case.pk}/close", {"root_cause": "courier"}).status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_reopening_from_the_timeline_needs_a_reason(client, case):
    from crm.services.casework import remedy_fulfil

    remedy_fulfil(remedy=case.remedies.get(), agent=case.assignee, reference="SF1234567890")  # a close needs it
    case_close(case=case, root_cause="courier")
    client.force_login(case.assignee.user)
    page = client.post(f"/cases/{case.pk}/reopen/", {"reason": ""}, follow=True)
    assert "Say why the case is reopened." in page.text
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    client.post(f"/cases/{case.pk}/reopen/", {"reason": "顾客又来电"})
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.events.get(kind=CaseEvent.Kind.REOPENED).actor == case.assignee.user
