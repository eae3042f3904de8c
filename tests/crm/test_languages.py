"""One rule for the language a text to a customer is in (crm.languages), read by callbacks and letters alike."""

import pytest

from crm.languages import language_for_customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("own", "store_language", "written"),
    [("en", "zh-hans", "en"), ("zh-hans", "en", "zh-hans"), ("", "zh-hans", "zh-hans"), ("", "en", "en")],
)
def test_a_customer_is_written_to_in_their_own_language_else_the_stores(own, store_language, written):
    customer = CustomerFactory(language=own)
    assert language_for_customer(customer=customer, store_language=store_language) == written


def test_no_customer_is_written_to_in_the_stores_language():
    assert language_for_customer(customer=None, store_language="en") == "en"
