"""The admin's policy pages name the store's currency beside every amount (ADR 0036), as the managers' pages do: a
row's change page in the label ("High-value order from (EUR)"), the add page (no store chosen yet) in the help text,
and the list with the currency's sign."""

from decimal import Decimal

import pytest

from crm.models import RemedyPlay
from letters.models import LetterRule, LetterTemplate, ParcelInsert
from retention.models import RetentionPolicy
from reviews.models import ReviewPolicy
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea():
    return StoreFactory(code="tea", currency="EUR")


def _rows(tea):
    return {
        ReviewPolicy: ReviewPolicy.objects.create(store=tea, high_value_amount=Decimal("130")),
        LetterRule: LetterRule.objects.create(store=tea, min_amount=Decimal("120")),
        LetterTemplate: LetterTemplate.objects.create(
            store=tea, name="Thanks", language="en", openings="Dear {name},", bodies="Thank you.",
            min_amount=Decimal("50"), max_amount=Decimal("500"),
        ),
        ParcelInsert: ParcelInsert.objects.create(store=tea, kind="care", title="Care card", body="Keep it dry.",
                                                  min_amount=Decimal("80")),
        RetentionPolicy: RetentionPolicy.objects.create(
            store=tea, silver_min_spent=Decimal("250"), gold_min_spent=Decimal("650"),
            platinum_min_spent=Decimal("1300"),
        ),
        RemedyPlay: RemedyPlay.objects.create(store=tea, cause="quality", kind="coupon", cost=Decimal("15")),
    }  # fmt: skip


LABELS = {
    ReviewPolicy: ["High-value order from (EUR)"],
    LetterRule: ["Order value at least (EUR)"],
    LetterTemplate: ["Order value from (EUR)", "Order value below (EUR)"],
    ParcelInsert: ["Only for order value from (EUR)"],
    RetentionPolicy: ["Silver: spent at least (EUR)", "Gold: spent at least (EUR)", "Platinum: spent at least (EUR)"],
    RemedyPlay: ["Usual cost (EUR)"],
}
LISTED = {
    ReviewPolicy: ["€130.00"],
    LetterRule: ["€120.00"],
    LetterTemplate: ["€50.00", "€500.00"],
    ParcelInsert: ["€80.00"],
    RetentionPolicy: ["€250.00", "€650.00", "€1,300.00"],
    RemedyPlay: ["€15.00"],
}


def _base(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def test_a_rows_change_page_names_its_stores_currency_beside_each_amount(admin_client, tea):
    admin_client.cookies["django_language"] = "en"
    for model, row in _rows(tea).items():
        page = admin_client.get(f"{_base(model)}{row.pk}/change/").content.decode()
        for label in LABELS[model]:
            assert label in page, (model.__name__, label)


def test_the_add_page_says_the_amounts_are_in_the_stores_currency(admin_client, tea):
    admin_client.cookies["django_language"] = "en"
    for model in LABELS:
        page = admin_client.get(f"{_base(model)}add/").content.decode()
        assert "In the currency of the store chosen above" in page, model.__name__


def test_the_list_shows_each_amount_with_its_stores_currency_sign(admin_client, tea):
    admin_client.cookies["django_language"] = "en"
    _rows(tea)
    for model, shown in LISTED.items():
        page = admin_client.get(_base(model)).content.decode()
        for amount in shown:
            assert amount in page, (model.__name__, amount)


def test_the_chinese_admin_names_the_currency_too(admin_client, tea):
    admin_client.cookies["django_language"] = "zh-hans"
    row = _rows(tea)[ReviewPolicy]
    page = admin_client.get(f"{_base(ReviewPolicy)}{row.pk}/change/").content.decode()
    assert "（EUR）" in page


def test_the_stores_own_page_names_its_currency_beside_the_agent_remedy_limit(admin_client, tea):
    """The limit is in the store's currency (ADR 0036), as the policy page says: its label names it on the store's
    page, and on the add page the help text says it is in the currency chosen on the form."""
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(f"/admin/crm/store/{tea.pk}/change/").content.decode()
    assert "Agent remedy limit (EUR)" in page
    assert "In the currency above" in admin_client.get("/admin/crm/store/add/").content.decode()
    admin_client.cookies["django_language"] = "zh-hans"
    assert "（EUR）" in admin_client.get(f"/admin/crm/store/{tea.pk}/change/").content.decode()
