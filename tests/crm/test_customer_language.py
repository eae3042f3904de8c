"""A customer's own message language: shown on the customer's page, changed by an agent where the profile is edited
(kept in the change history), blank for the store's language."""

import pytest

from crm.models import CustomerChange
from crm.services.customers import customer_update_profile
from tests.factories import AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_agent_changes_the_language_and_the_change_is_kept_with_who_made_it():
    customer = CustomerFactory(name="Anna Schmidt")
    agent = AgentFactory(stores=[customer.store])
    [change] = customer_update_profile(customer=customer, actor=agent.user, changes={"language": "en"})
    assert (change.field, change.old_value, change.new_value, change.changed_by) == ("language", "", "en", agent.user)
    customer.refresh_from_db()
    assert customer.language == "en"


def test_the_customer_page_shows_the_language_and_its_form_changes_it(client):
    customer = CustomerFactory(name="Anna Schmidt", gender="female")
    agent = AgentFactory(stores=[customer.store])
    client.force_login(agent.user)
    page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert 'data-testid="customer-language">The store&#x27;s language<' in page
    client.post(
        f"/customers/{customer.pk}/profile",
        {"name": "Anna Schmidt", "gender": "female", "contact_preference": "any", "language": "en"},
    )
    assert CustomerChange.objects.filter(customer=customer, field="language", new_value="en").exists()
    page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert 'data-testid="customer-language">English<' in page
    # Blank is the store's language, not "no value": it reads so both ways in the change history.
    assert "Message language: The store&#x27;s language → English" in page
    client.post(
        f"/customers/{customer.pk}/profile",
        {"name": "Anna Schmidt", "gender": "female", "contact_preference": "any", "language": ""},
    )
    page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "Message language: English → The store&#x27;s language" in page
    chinese = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "消息语言：英文 → 店铺的语言" in chinese
