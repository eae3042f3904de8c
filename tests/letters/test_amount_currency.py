"""A letter rule's, a template's and a card's order values are in the store's currency (ADR 0036): an order in it is
compared with them, an order in another currency meets no value condition (letters hold no exchange rates), and the
pages say which currency the values are in."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from letters.models import Letter, LetterInsert, LetterRule, LetterTemplate, ParcelInsert
from letters.services import letters_prepare
from tests.factories import CustomerFactory, ManagerFactory, OrderFactory, StoreFactory

from .test_templates import PARTS

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def berlin():
    store = StoreFactory(name="Teehaus Berlin", currency="EUR", timezone="Europe/Berlin")
    LetterRule.objects.create(store=store, min_amount=Decimal("150"), language="en")
    return store


def _order(store, number, amount, currency):
    customer = CustomerFactory(store=store)
    return OrderFactory(store=store, customer=customer, external_id=number, total_amount=Decimal(amount),
                        currency=currency)  # fmt: skip


def test_only_an_order_in_the_stores_currency_is_measured_against_the_letter_threshold(berlin):
    # 2,000 yuan "passed" a threshold of 150 euros, 100 euros "failed" one of 1,000 yuan: numbers compared as one money.
    euros = _order(berlin, "B-1", "189.00", "EUR")
    small = _order(berlin, "B-2", "89.00", "EUR")
    yuan = _order(berlin, "B-3", "2000.00", "CNY")
    letters_prepare(store=berlin, now=NOW)
    assert set(Letter.objects.values_list("order_id", flat=True)) == {euros.pk}
    assert not Letter.objects.filter(order__in=[small, yuan]).exists()


def test_an_order_in_another_currency_meets_no_value_condition_of_a_template_or_a_card(berlin):
    rule = berlin.letter_rule
    rule.min_amount = None  # every order gets a letter: the template's and the card's conditions are what is tested
    rule.save()
    LetterTemplate.objects.create(store=berlin, name="big", language="en", min_amount=Decimal("100"),
                                  **{**PARTS, "openings": "Dear {customer}, big thanks"})  # fmt: skip
    ParcelInsert.objects.create(store=berlin, kind="offer", title="10% off", body="Next time", offer_code="TEE10",
                                min_amount=Decimal("100"))  # fmt: skip
    euros = _order(berlin, "B-1", "189.00", "EUR")
    dollars = _order(berlin, "B-2", "189.00", "USD")
    letters_prepare(store=berlin, now=NOW)
    assert Letter.objects.get(order=euros).variant.startswith("big")
    assert not Letter.objects.get(order=dollars).variant.startswith("big")
    assert LetterInsert.objects.filter(letter__order=euros).count() == 1
    assert not LetterInsert.objects.filter(letter__order=dollars).exists()
    assert Letter.objects.get(order=euros).variant == "big (≥ €100.00)"


def test_the_letter_pages_name_the_stores_currency(client: Client, berlin):
    LetterTemplate.objects.create(store=berlin, name="big", language="en", min_amount=Decimal("100"), **PARTS)
    ParcelInsert.objects.create(store=berlin, kind="care", title="Care", body="Keep dry", min_amount=Decimal("50"))
    client.force_login(ManagerFactory(stores=[berlin]).user)
    rule = client.get(f"/letters/rule/?store={berlin.code}").text
    assert "Order value at least (EUR)" in rule and 'data-testid="amounts-currency"' in rule
    assert "≥€100.00" in client.get(f"/letters/templates/?store={berlin.code}").text
    assert "≥€50.00" in client.get(f"/letters/inserts/?store={berlin.code}").text
