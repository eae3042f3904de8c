"""The customer page's follow-up list names what became of each care SMS that reached nobody."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from callbacks.models import SmsOutcome
from crm.models import Order
from tests.factories import AgentFactory, FollowUpFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _failed_sms(order: Order, outcome: str, days_ago: int):
    return FollowUpFactory(
        order=order,
        channel="sms",
        status="failed",
        outcome=outcome,
        window_start=timezone.now() - timedelta(days=days_ago),
    )


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", ["Not sent: the number opted out of SMS", "Refused by the SMS provider", "Not delivered",
                "Not sent: the SMS provider could not be reached"]),
        ("zh-hans", ["未发出：该号码已退订短信", "被短信服务商拒绝", "未送达", "未发出：无法连接短信服务商"]),
    ],
)  # fmt: skip
def test_each_failed_care_sms_shows_why_it_reached_nobody(language, shown):
    order = OrderFactory()
    for days_ago, outcome in enumerate(SmsOutcome.values, start=1):  # one contact a day
        _failed_sms(order, outcome, days_ago)
    client = Client()
    client.force_login(AgentFactory(stores=[order.store]).user)

    page = client.get(f"/customers/{order.customer_id}/", HTTP_ACCEPT_LANGUAGE=language).text

    section = page[page.index('data-testid="followups"') :]
    assert [label for label in shown if label in section] == shown
