"""The logistics board in a real browser: a stalled parcel's checkpoints and the notice already sent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from logistics.services.delays import delays_sweep
from logistics.services.notices import notices_send_due
from logistics.services.updates import TrackedCheckpoint, TrackingUpdate, shipment_apply_update
from tests.callbacks.conftest import midday_store
from tests.e2e.conftest import login, screenshot
from tests.factories import AgentFactory, CustomerFactory, OrderFactory
from tests.logistics.conftest import ship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_sees_the_stalled_parcel_with_its_checkpoints_and_the_notice_sent(new_page):
    store = midday_store(name="丝韵旗舰店")
    agent = AgentFactory(stores=[store], user__username="li")
    order = OrderFactory(
        customer=CustomerFactory(store=store, name="王芳"), total_amount=Decimal("2600.00"), external_id="TM-8801"
    )
    shipment = ship(order, number="SF1400000001", hours_ago=80)
    at = timezone.now() - timedelta(hours=60)
    shipment_apply_update(
        shipment_id=shipment.pk,
        update=TrackingUpdate(
            number=shipment.tracking_number,
            couriers=(shipment.courier,),
            state="in_transit",
            checkpoints=[
                TrackedCheckpoint(at=at - timedelta(hours=5), text="顺丰速运 已收取快件", location="浙江,杭州市"),
                TrackedCheckpoint(at=at, text="快件到达【上海浦东集散中心】", location="上海,上海市"),
            ],
        ),
    )
    delays_sweep()
    notices_send_due()

    page = new_page("zh-CN")
    login(page, agent.user.username)
    page.goto("/logistics/")
    row = page.get_by_test_id("parcel").filter(has_text="SF1400000001")
    expect(row).to_contain_text("TM-8801")
    expect(row).to_contain_text("王芳")
    expect(row.get_by_test_id("delay")).to_have_count(1)
    expect(row.get_by_test_id("told")).to_contain_text("已发送")
    page.get_by_text("2 个物流节点").click()
    expect(page.get_by_test_id("checkpoints").first).to_contain_text("上海浦东集散中心")
    screenshot(page, "logistics-board")
