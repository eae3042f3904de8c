"""Why a contact was held back, as the agent sees it in a real browser: the customer replied 退订 (posted by the local
Twilio server), the sweeper held the queued messages back, and the call panel's earlier contacts and the customer
archive say so with the reason, not a bare "Suppressed" (or nothing at all, for a campaign's message)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.tasks_calls import call_task_create
from crm.services.order_delivery import orders_mark_delivered
from crm.timezones import store_today
from retention.services.campaigns import campaign_start
from tests.callbacks.conftest import midday_store
from tests.e2e.conftest import login
from tests.factories import AgentFactory, CustomerFactory, OrderFactory
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import campaign_for, everyone, open_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_panel_and_the_archive_say_why_the_care_sms_was_held_back(new_page, twilio_live, live_server):
    store = midday_store(name="丝韵旗舰店")
    AgentFactory(user__username="lin", stores=[store], phone="+8613900000001")
    customer = CustomerFactory(store=store, name="王芳", phone="+8613812341234")
    delivered = OrderFactory(customer=customer, total_amount=Decimal("500.00"))
    orders_mark_delivered(deliveries=[(delivered, timezone.now())])
    status, _ = twilio_live.receive_sms(
        url=f"{live_server.url}/twilio/sms/inbound", sender="0086 138 1234 1234", body="退订"
    )
    assert status == 200
    sms_dispatch_due(time_budget=5)
    assert twilio_live.messages == []
    task = call_task_create(
        order=OrderFactory(customer=customer),
        customer=customer,
        purpose="logistics",
        due_on=store_today(store),
        note="No scan for two days",
    )

    page = new_page(locale="en")
    login(page, "lin")
    page.goto(f"/calls/{task.pk}/")
    earlier = page.get_by_test_id("profile").locator("xpath=..").get_by_test_id("held-back")
    expect(earlier).to_have_attribute("data-reason", "sms_opt_out")
    expect(earlier).to_contain_text("Customer opted out of SMS")

    page.goto(f"/customers/{customer.pk}/")
    archive = page.get_by_test_id("followups").get_by_test_id("held-back")
    expect(archive).to_have_attribute("data-reason", "sms_opt_out")
    expect(archive).to_contain_text("Customer opted out of SMS")


def test_the_archive_says_why_a_campaign_message_was_held_back(new_page, twilio_live, live_server):
    store = open_store(name="丝韵旗舰店")
    AgentFactory(user__username="lin", stores=[store], phone="+8613900000001")
    customer = customer_with_orders(store, [30], name="王芳", phone="+8613812341234")
    campaign = campaign_for(store, everyone(store), name="冬季回馈")
    campaign_start(campaign=campaign)
    status, _ = twilio_live.receive_sms(url=f"{live_server.url}/twilio/sms/inbound", sender=customer.phone, body="TD")
    assert status == 200
    sms_dispatch_due(time_budget=5)
    assert twilio_live.messages == []

    page = new_page(locale="en")
    login(page, "lin")
    page.goto(f"/customers/{customer.pk}/")
    section = page.get_by_test_id("campaign-contacts")
    expect(section).to_contain_text("冬季回馈")
    expect(section.get_by_test_id("held-back")).to_have_attribute("data-reason", "sms_opt_out")
    expect(section.get_by_test_id("held-back")).to_contain_text("Customer opted out of SMS")
