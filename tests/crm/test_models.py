from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm.models import Case, Customer, Order
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _violates(**changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        changes.pop("factory")(**changes)


def test_external_ids_are_unique_per_store_but_not_across_stores():
    first = OrderFactory(external_id="A-1")
    OrderFactory(external_id="A-1", customer=CustomerFactory(store=StoreFactory()))  # another store: fine
    _violates(factory=OrderFactory, external_id="A-1", customer=CustomerFactory(store=first.store))
    _violates(factory=CustomerFactory, store=first.store, external_id=first.customer.external_id)


@pytest.mark.parametrize(
    "changes",
    [
        {"total_amount": Decimal("-0.01")},
        {"currency": "cny"},
        {"status": "lost"},
        {"status": Order.Status.DELIVERED, "delivered_at": None},
    ],
)
def test_order_invariants_are_database_constraints(changes):
    _violates(factory=OrderFactory, **changes)


@pytest.mark.parametrize(
    "changes",
    [{"phone": "13800138000"}, {"contact_preference": "never"}, {"personality_type": "grumpy"}, {"vip_tier": 9}],
)
def test_customer_invariants_are_database_constraints(changes):
    _violates(factory=CustomerFactory, **changes)


def test_a_closed_case_needs_a_root_cause_in_the_database():
    customer = CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            store=customer.store, customer=customer, source=Case.Source.MANUAL, status=Case.Status.CLOSED,
            opened_at="2026-11-23T10:00Z", closed_at="2026-11-23T11:00Z",
        )  # fmt: skip


def test_store_timezone_must_be_an_iana_name():
    store = StoreFactory.build(timezone="China/Beijing")
    with pytest.raises(ValidationError) as excinfo:
        store.full_clean()
    assert "timezone" in excinfo.value.message_dict


def test_defaults_match_the_design():
    customer = CustomerFactory()
    assert customer.contact_preference == Customer.ContactPreference.ANY
    order = OrderFactory(customer=customer)
    assert order.currency == "CNY"
    assert order.store.timezone == "Asia/Shanghai"
