"""A timeline entry (or audit entry) written before remedies had a currency (ADR 0036) stored a bare cost: it is shown
in the currency the data migration gave the case's remedies, its order's else its store's, never as a bare number."""

from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import AuditLog, Case, CaseEvent
from crm.services.cases import case_open
from crm.services.playbook import remedy_play_set
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea():
    return StoreFactory(code="tea", currency="EUR")


def _old_entry(case: Case) -> None:
    # As remedy_propose wrote it before ADR 0036: no "currency".
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.REMEDY_PROPOSED, at=timezone.now(), data={"remedy_kind": "gift", "cost": "30.00"}
    )


def _timeline(client, case) -> str:
    client.cookies["django_language"] = "en"
    client.force_login(AgentFactory(stores=[case.store]).user)
    return client.get(f"/cases/{case.pk}/").text.split('data-testid="timeline"')[1]


def test_an_old_cost_on_a_case_without_an_order_is_in_the_stores_currency(client, tea):
    case, _ = case_open(store=tea, customer=CustomerFactory(store=tea), source=Case.Source.MANUAL, summary="late")
    _old_entry(case)
    timeline = _timeline(client, case)
    assert "Cost: €30.00" in timeline
    assert "Cost: 30.00" not in timeline


def test_an_old_cost_on_a_case_about_an_order_is_in_the_orders_currency(client, tea):
    customer = CustomerFactory(store=tea)
    order = OrderFactory(customer=customer, currency="CNY")
    case, _ = case_open(store=tea, customer=customer, source=Case.Source.MANUAL, summary="late", order=order)
    _old_entry(case)
    assert "Cost: ¥30.00" in _timeline(client, case)


def test_a_playbook_options_cost_is_audited_and_shown_in_the_stores_currency(client, tea):
    manager = ManagerFactory(stores=[tea])
    remedy_play_set(store=tea, actor=manager.user, cause="quality", kind="coupon", cost=Decimal("15"), script="")
    entry = AuditLog.objects.get(action="remedy_play_set")
    assert entry.data["currency"] == "EUR"
    # An entry written before it had a currency is shown in the store's.
    entry.data.pop("currency")
    entry.save(update_fields=["data"])
    client.cookies["django_language"] = "en"
    client.force_login(manager.user)
    page = client.get("/manager/audit/", {"store": "tea"}).text
    assert "€15.00" in page
