"""A campaign's offer is in the store's currency (ADR 0036): a Berlin store's customers are offered euros, never
yuan, in the SMS, on the return-visit call's script and note, in the test send and on the campaign's pages."""

from decimal import Decimal

import pytest
from django.test import Client

from callbacks.models import FollowUp, FollowUpPolicy
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.telephony.memory import InMemoryBackend
from retention.models import OfferKind
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from retention.wording import offer_text
from tests.factories import AgentFactory, ManagerFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db

FIFTY, THREE_HUNDRED, NOTHING = Decimal("50"), Decimal("300"), Decimal("0")


@pytest.mark.parametrize(
    ("currency", "chinese", "min_spend", "expected"),
    [
        ("CNY", True, THREE_HUNDRED, "满300减50元"),
        ("CNY", True, NOTHING, "立减50元"),
        ("EUR", True, THREE_HUNDRED, "满300欧元减50欧元"),
        ("EUR", True, NOTHING, "立减50欧元"),
        ("USD", True, NOTHING, "立减50美元"),
        ("SGD", True, THREE_HUNDRED, "满300 SGD减50 SGD"),
        ("CNY", False, THREE_HUNDRED, "¥50 off orders of ¥300"),
        ("EUR", False, THREE_HUNDRED, "€50 off orders of €300"),
        ("EUR", False, NOTHING, "€50 off"),
        ("SGD", False, NOTHING, "SGD 50 off"),
    ],
)
def test_the_offer_is_worded_in_the_currency_given(currency, chinese, min_spend, expected):
    text = offer_text(
        kind=OfferKind.FIXED_AMOUNT, amount=FIFTY, min_spend=min_spend, currency=currency, chinese=chinese
    )
    assert text == expected


def test_an_amount_with_cents_keeps_them():
    text = offer_text(
        kind=OfferKind.FIXED_AMOUNT, amount=Decimal("12.50"), min_spend=NOTHING, currency="EUR", chinese=False
    )
    assert text == "€12.50 off"


def _berlin(language="en"):
    store = open_store(name="Teehaus Berlin", currency="EUR")
    FollowUpPolicy.objects.filter(store=store).update(sms_language=language)
    return store


@pytest.mark.parametrize(("language", "offer"), [("en", "€50 off orders of €300"), ("zh-hans", "满300欧元减50欧元")])
def test_a_euro_store_texts_its_customers_an_offer_in_euros(language, offer):
    store = _berlin(language)
    customer = customer_with_orders(store, [30])
    campaign_start(campaign=campaign_for(store, everyone(store), wordings=["{name}, {offer}"]))
    sms_dispatch_due(time_budget=5)
    [message] = [m for m in InMemoryBackend.messages if m.to == customer.phone]
    assert offer in message.body and "CNY" not in message.body and "元" not in message.body.replace("欧元", "")


def test_a_euro_store_return_visit_call_offers_euros_in_its_script_and_note():
    store = _berlin("zh-hans")
    AgentFactory(stores=[store], on_shift=True)
    customer_with_orders(store, [30], name="Frau Keller")
    campaign_start(campaign=campaign_for(store, everyone(store), channel="call"))
    campaign_call_tasks_create()
    [task] = FollowUp.objects.filter(purpose="return_visit")
    assert "满300欧元减50欧元" in task.script and "满300欧元减50欧元" in task.note
    assert "减50元" not in task.script + task.note


def test_the_campaign_form_and_page_show_the_store_currency():
    store = _berlin()
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    client = Client()
    client.force_login(ManagerFactory(stores=[store]).user)
    form = client.get(f"/retention/{store.pk}/campaigns/").text
    assert "Amount off (EUR)" in form and "On orders of at least (EUR)" in form
    page = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
    assert 'data-testid="offer"' in page and "€50 off orders of €300" in page
