"""Taking a store off an agent in the Django admin hands on all their open work there at once: the cases (crm), the
calls still to come (callbacks) and the gift tasks (retention), and a dedicated customer's new owner gets both
their call and their gift."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from callbacks.models import FollowUp
from crm.models import Case
from crm.services.cases import case_open
from retention.models import GiftTask
from tests.admin_agents import memberships_form
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _call(customer, assignee, channel="call") -> FollowUp:
    start = datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI)
    return FollowUpFactory(
        order=OrderFactory(customer=customer),
        assignee=assignee,
        channel=channel,
        window_start=start,
        window_end=start + timedelta(hours=1),
    )


def test_a_store_taken_off_an_agent_in_the_admin_hands_on_their_cases_calls_and_gift_tasks(admin_client):
    store, other = StoreFactory(), StoreFactory()
    leaver = AgentFactory(stores=[store, other], evening_capacity=30)
    stays = AgentFactory(stores=[store])
    owned = CustomerFactory(store=store, dedicated_owner=leaver)
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        case, _ = case_open(store=store, customer=owned, source=Case.Source.MANUAL, assignee=leaver)
        kept, _ = case_open(
            store=other, customer=CustomerFactory(store=other), source=Case.Source.MANUAL, assignee=leaver
        )
        dedicated = _call(owned, leaver, channel="dedicated")
        there = _call(CustomerFactory(store=other), leaver)
        gift = GiftTask.objects.create(
            store=store, customer=owned, occasion_date=timezone.localdate() + timedelta(days=7), assignee=leaver
        )
        response = admin_client.post(
            f"/admin/crm/agent/{leaver.pk}/change/",
            {
                "user": leaver.user_id,
                "phone": leaver.phone,
                **memberships_form(leaver, [other.pk]),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(leaver.stores.all()) == [other]
    for row in (case, kept, dedicated, there, gift, owned):
        row.refresh_from_db()
    assert case.assignee == dedicated.assignee == gift.assignee == owned.dedicated_owner == stays
    assert kept.assignee == there.assignee == leaver
