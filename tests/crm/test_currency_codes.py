"""A currency is an active ISO 4217 code, not any three capital letters: "NAN" or "XYZ" is refused wherever a
currency comes in (a store's, a remedy's, the follow-up policy's and its exchange rates, an order's), naming the
field, in the reader's language."""

import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from callbacks.errors import PolicyInvalid
from callbacks.models import FollowUpPolicy
from callbacks.services.policy import policy_update
from crm.errors import InvalidInput
from crm.models import Case, Remedy
from crm.services.cases import case_open, remedy_propose
from crm.services.policy import store_remedy_limit_update
from crm.validators import validate_currency_code
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
NOT_CURRENCIES = ["NAN", "XYZ", "ABC", "XXX", "XTS"]


@pytest.fixture
def berlin():
    return StoreFactory(code="tea-own", timezone="Europe/Berlin", currency="EUR", agent_remedy_limit=Decimal("30"))


@pytest.mark.parametrize("code", NOT_CURRENCIES)
def test_three_capital_letters_that_name_no_currency_are_refused(code):
    with pytest.raises(ValidationError) as refused:
        validate_currency_code(code)
    assert refused.value.code == "invalid_currency"


@pytest.mark.parametrize("code", ["CNY", "EUR", "USD", "GBP", "JPY", "HKD", "SGD", "CHF", "TWD"])
def test_the_codes_stores_sell_in_are_accepted(code):
    validate_currency_code(code)


@pytest.mark.parametrize("code", ["NAN", "XYZ"])
def test_a_store_currency_that_names_no_currency_is_refused_on_the_field(berlin, code):
    with pytest.raises(InvalidInput) as refused:
        store_remedy_limit_update(store=berlin, actor=None, limit=Decimal("40"), currency=code)
    assert refused.value.field == "currency"
    berlin.refresh_from_db()
    assert (berlin.agent_remedy_limit, berlin.currency) == (Decimal("30.00"), "EUR")


def test_a_remedy_in_a_currency_that_does_not_exist_is_refused(berlin):
    agent = AgentFactory(stores=[berlin])
    case = case_open(store=berlin, customer=OrderFactory(store=berlin, customer__store=berlin).customer,
                     source=Case.Source.CALL)[0]  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        remedy_propose(case=case, agent=agent, kind=Remedy.Kind.GIFT, cost=Decimal("5"), currency="nan")
    assert refused.value.field == "currency"
    assert not Remedy.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "NAN"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"exchange_rates": {"EUR": "7.80", "XYZ": "1.00"}}, "exchange_rates"),
        ({"exchange_rates": {"NAN": "7.80"}}, "exchange_rates"),
    ],
)
def test_a_follow_up_policy_in_or_with_a_rate_for_no_currency_is_refused(berlin, changes, field):
    with pytest.raises(PolicyInvalid) as refused:
        policy_update(store=berlin, actor=None, changes=changes)
    assert refused.value.field == field
    assert not FollowUpPolicy.objects.filter(store=berlin).exists()


def test_the_policy_page_says_in_chinese_that_a_code_is_no_currency(client, berlin):
    client.force_login(ManagerFactory(stores=[berlin]).user)
    posted = {"store": berlin.code, "agent_remedy_limit": "25", "currency": "xyz"}
    with translation.override("zh-hans"):
        refused = client.post("/manager/policy/remedy_limit/", posted, headers={"Accept-Language": "zh-hans"})
    assert refused.status_code == 400
    assert "XYZ 不是有效的 ISO 4217 币种代码" in html.unescape(refused.text)
    english = client.post("/manager/policy/remedy_limit/", posted, headers={"Accept-Language": "en"})
    assert "XYZ is not an ISO 4217 currency code" in html.unescape(english.text)
    berlin.refresh_from_db()
    assert (berlin.agent_remedy_limit, berlin.currency) == (Decimal("30.00"), "EUR")
