"""The order system sends a customer's own message language: validated, absent or blank keeps what is stored."""

import pytest

from crm.models import Customer
from tests.crm.api.helpers import order_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"


def _with_customer(**fields):
    body = order_payload(1)
    body["customer"].update(fields)
    return body


def test_the_order_system_sets_the_language_and_a_row_without_one_keeps_it(api):
    assert api.post(URL, _with_customer(language="en")).status_code == 200
    assert Customer.objects.get().language == "en"
    for unchanged in (_with_customer(), _with_customer(language=""), _with_customer(language=None)):
        assert api.post(URL, unchanged).status_code == 200
        assert Customer.objects.get().language == "en"
    api.post(URL, _with_customer(language="zh-hans"))
    assert Customer.objects.get().language == "zh-hans"
    assert api.get(f"{URL}/TB00000001").json()["customer"]["language"] == "zh-hans"


@pytest.mark.parametrize("language", ["de", "EN", "zh", ["en"], 1])
def test_an_unknown_language_is_a_400_naming_the_field_and_writes_nothing(api, language):
    response = api.post(URL, _with_customer(language=language))
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert (error["index"], error["field"], error["code"]) == (0, "customer.language", "invalid_choice")
    assert not Customer.objects.exists()
