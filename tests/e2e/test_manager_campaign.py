"""A manager builds a segment, previews a campaign over it and starts it, in a real browser."""

import pytest
from playwright.sync_api import expect

from retention.models import Campaign, CampaignContact
from retention.services.segments import attributes_refresh
from tests.e2e.conftest import login, screenshot
from tests.factories import ManagerFactory
from tests.retention.conftest import customer_with_orders
from tests.retention.helpers import open_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_builds_a_segment_previews_a_campaign_and_starts_it(new_page):
    store = open_store(name="丝韵旗舰店")
    ManagerFactory(user__username="chen", stores=[store])
    for _ in range(3):
        customer_with_orders(store, [200, 140, 80], amount="3000.00")
    customer_with_orders(store, [200, 140, 80], amount="3000.00", name="不打扰", contact_preference="do_not_contact")
    customer_with_orders(store, [5])
    attributes_refresh(store=store)

    page = new_page(locale="en-US")
    login(page, "chen")
    page.goto(f"/retention/{store.pk}/segments/")
    page.fill("#id_name", "Regulars")
    rule = page.get_by_test_id("rule-0")
    rule.locator("select").nth(0).select_option("orders_count")
    rule.locator("select").nth(1).select_option("gte")
    rule.locator("input").fill("3")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_test_id("segment-size")).to_have_text("4")
    expect(page.get_by_test_id("sample")).to_contain_text("3 orders")
    screenshot(page, "retention-segment-en")

    page.goto(f"/retention/{store.pk}/campaigns/")
    form = page.get_by_test_id("campaign-form")
    form.locator("#id_name").fill("Spring return visit")
    form.locator("#id_segment").select_option(label="Regulars")
    form.locator("#id_wordings").fill("{name}您好，{store}为您准备了{offer}")
    form.locator("#id_offer_kind").select_option("fixed_amount")
    form.locator("#id_offer_amount").fill("50")
    form.locator("#id_offer_min_spend").fill("300")
    form.locator("#id_control_percent").fill("0")
    form.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_test_id("preview-counts")).to_contain_text("3 to contact")
    expect(page.get_by_test_id("excluded-sample")).to_contain_text("不打扰")
    expect(page.get_by_test_id("excluded-reasons")).to_contain_text("asked not to be contacted: 1")
    screenshot(page, "retention-preview-en")

    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("results")).to_be_visible()
    campaign = Campaign.objects.get(name="Spring return visit")
    assert campaign.status == "running"
    assert CampaignContact.objects.filter(campaign=campaign, status="planned").count() == 3
