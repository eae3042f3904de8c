"""Operators look a parcel up in the admin: found by its tracking or order number, shown with the courier's history,
the delays found on it and the notices sent, and written only by tracking and the delay rules (ADR 0030)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.models import Checkpoint, ShipmentDelay, ShipmentNotice
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db


def test_a_parcel_is_found_by_its_tracking_or_order_number(admin_client):
    notice, other = BUILDERS[ShipmentNotice](), BUILDERS[ShipmentNotice]()
    shipment = notice.shipment

    for term in (shipment.tracking_number, shipment.order.external_id):
        page = admin_client.get("/admin/logistics/shipment/", {"q": term})
        assert [row.pk for row in page.context["cl"].result_list] == [shipment.pk], term
    for model in ("shipmentnotice", "shipmentdelay"):
        assert admin_client.get(f"/admin/logistics/{model}/", {"q": other.shipment.tracking_number}).status_code == 200


def test_a_parcel_s_page_shows_its_history_delays_and_notices_read_only(admin_client):
    notice = BUILDERS[ShipmentNotice]()
    shipment = notice.shipment
    ShipmentDelay.objects.create(store=shipment.store, shipment=shipment, rule="no_update",
                                 found_at=timezone.now(), state="in_transit", last_event_text="运输中")  # fmt: skip

    page = admin_client.get(f"/admin/logistics/shipment/{shipment.pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "杭州" in text  # the checkpoint's location
    assert "No new checkpoint in transit" in text  # the delay's rule, by its label
    assert f'href="/logistics/shipments/{shipment.pk}/"' in text  # "View on site": the shipment's page
    assert 'name="state"' not in text and 'name="checkpoints-0-text"' not in text  # nothing to edit
    assert notice.recipient not in text and notice.recipient.removeprefix("+86") not in text
    assert admin_client.post(f"/admin/logistics/shipment/{shipment.pk}/change/", {}).status_code == 403


def test_a_parcel_s_page_costs_the_same_queries_with_3_or_30_checkpoints(admin_client):
    shipment = BUILDERS[ShipmentNotice]().shipment
    url = f"/admin/logistics/shipment/{shipment.pk}/change/"

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        Checkpoint.objects.bulk_create(Checkpoint(shipment=shipment, at=timezone.now(), text=f"扫描 {i}")
                                       for i in range(n))  # fmt: skip

    add(2)
    cost()  # the first request of a test also loads what Django caches
    few = cost()
    add(27)
    BUILDERS[ShipmentNotice]()

    assert cost() == few


def test_the_parcel_pages_speak_chinese(admin_client):
    notice = BUILDERS[ShipmentNotice]()
    ShipmentDelay.objects.create(store=notice.store, shipment=notice.shipment, rule="no_update",
                                 found_at=timezone.now(), state="in_transit")  # fmt: skip
    admin_client.cookies["django_language"] = "zh-hans"

    listing = admin_client.get("/admin/logistics/shipment/").content.decode()
    page = admin_client.get(f"/admin/logistics/shipment/{notice.shipment_id}/change/").content.decode()
    index = admin_client.get("/admin/").content.decode()

    assert "运单号或订单号，需完整输入。" in listing and "运单号" in listing
    assert "物流节点" in page and "运输途中长时间无更新" in page and "包裹通知" in page
    assert "物流" in index and "延误" in index
