"""A return visit's time is its call task's window: the campaign row does not keep a copy of it.

The row copied the task's window start into its `due_at` when the task was made; when the store then changed its call
hours, the task moved to the new hours (ADR 0029) and the copy did not, so the customer's history showed (and sorted
by) the old time. The row's `due_at` now says when it fell due for its task; what is shown and sorted is the task's
window."""

from datetime import time

import pytest
from django.test import Client

from callbacks.models import FollowUp
from callbacks.services.policy import policy_update
from crm.timezones import store_local_datetime, store_today
from retention.models import CampaignContact
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


def test_the_customers_history_shows_a_return_visit_at_its_tasks_time_after_the_call_hours_change():
    store = open_store(name="丝韵旗舰店")  # about noon, store time
    agent = AgentFactory(stores=[store], on_shift=True)
    customer = customer_with_orders(store, [30], name="林小姐")
    earlier = campaign_for(store, everyone(store), name="早先的短信")
    campaign_start(campaign=earlier)
    visits = campaign_for(store, earlier.segment, name="电话回访", channel="call")
    campaign_start(campaign=visits)
    assert campaign_call_tasks_create().created == 1
    today = store_today(store)

    policy_update(store=store, actor=None, changes={"call_hours_from": time(13, 0), "call_hours_until": time(20, 0)})

    task = FollowUp.objects.get(purpose="return_visit")
    assert task.window_start == store_local_datetime(store, today, time(13, 0))
    client = Client()
    client.force_login(agent.user)
    page = client.get(f"/customers/{customer.pk}/", headers={"Accept-Language": "en"}).text
    section = page[page.index('data-testid="campaign-contacts"') :]
    assert f"{today:%Y-%m-%d} 13:00" in section and f"{today:%Y-%m-%d} 09:00" not in section
    # Sorted by that time too: the call at 13:00 comes before the message due at noon.
    assert section.index("电话回访") < section.index("早先的短信")
    assert CampaignContact.objects.filter(call_task=task).exists()
