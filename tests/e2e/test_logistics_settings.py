"""A store manager sets the delay rules and the notice wording in a real browser; the next sweep works with them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callbacks.telephony.memory import InMemoryBackend
from logistics.models import LogisticsPolicy, ShipmentDelay
from logistics.services.delays import delays_sweep
from logistics.services.notices import notices_send_due
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update
from tests.callbacks.conftest import midday_store
from tests.e2e.conftest import login, screenshot
from tests.factories import CustomerFactory, ManagerFactory, OrderFactory
from tests.logistics.conftest import ship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OWN_WORDING = "{name}您好，{store}看到您的{product}在路上多停了一会儿，我们已经在催促，今天就给您回音。"


def test_a_manager_switches_a_rule_off_and_rewords_a_notice_and_the_next_sweep_uses_both(new_page):
    InMemoryBackend.reset()
    store = midday_store(name="丝韵旗舰店", code="silk")
    ManagerFactory(stores=[store], user__username="wang")

    page = new_page("zh-CN")
    login(page, "wang")
    page.goto("/manager/policy/?store=silk")
    page.get_by_test_id("logistics-settings-link").click()
    page.wait_for_url("**/logistics/settings/?store=silk")
    page.wait_for_load_state("load")
    page.get_by_test_id("rule-no_first_scan").locator("input[name=no_first_scan_on]").uncheck()
    page.fill("textarea[name=template_no_update_zh_hans]", "{name}您好，{store}会尽快处理。{promised}")
    page.get_by_test_id("logistics-settings").locator("button[type=submit]").click()
    # An unknown placeholder is refused next to its text, and nothing is saved.
    expect(page.get_by_test_id("error-template_no_update_zh_hans")).to_contain_text("{promised}")
    assert not LogisticsPolicy.objects.exists()

    page.fill("textarea[name=template_no_update_zh_hans]", OWN_WORDING)
    page.get_by_test_id("logistics-settings").locator("button[type=submit]").click()
    # The refused form is on the same URL and already shows these values: only the saved message tells that the
    # post has been answered (the sweep below reads what it wrote).
    expect(page.locator(".messages")).to_contain_text("已保存。下一次延误检查即按此执行")
    expect(page.locator("input[name=no_first_scan_on]")).not_to_be_checked()
    expect(page.locator("textarea[name=template_no_update_zh_hans]")).to_have_value(OWN_WORDING)
    screenshot(page, "logistics-settings-zh")

    never_scanned = ship(OrderFactory(customer=CustomerFactory(store=store)), hours_ago=30)
    stalled = ship(OrderFactory(customer=CustomerFactory(store=store, name="王芳")), hours_ago=80)
    at = timezone.now() - timedelta(hours=60)
    shipment_apply_update(
        shipment_id=stalled.pk,
        update=TrackingUpdate(
            number=stalled.tracking_number,
            couriers=(stalled.courier,),
            state="in_transit",
            checkpoints=[TrackedCheckpoint(at=at, text="快件到达【上海浦东集散中心】", location="上海,上海市")],
        ),
    )
    delays_sweep()
    notices_send_due()
    assert not ShipmentDelay.objects.filter(shipment=never_scanned).exists()
    [message] = InMemoryBackend.messages
    assert message.to == stalled.order.customer.phone
    assert message.body.startswith("王芳您好，丝韵旗舰店看到您的") and "今天就给您回音" in message.body
