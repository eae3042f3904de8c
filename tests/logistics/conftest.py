"""Fixtures for logistics: the local Kuaidi100-speaking server, shipments, and helpers to move parcels."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from callbacks.telephony.memory import InMemoryBackend
from crm.services.api_tokens import api_token_create
from logistics.models import Shipment
from logistics.services.shipments import ShipmentInput, shipments_record
from logistics.tracking.memory import InMemoryBackend as TrackingMemory
from tests.crm.api.conftest import Api
from tests.factories import OrderFactory, StoreFactory


@pytest.fixture(autouse=True)
def _empty_outboxes():
    InMemoryBackend.reset()
    TrackingMemory.reset()
    yield
    InMemoryBackend.reset()
    TrackingMemory.reset()


@pytest.fixture
def store(db):
    return StoreFactory(code="silk-tmall")


@pytest.fixture
def api(store) -> Api:
    return Api(Client(), api_token_create(store_codes=[store.code], name="Tmall connector")[1])


@pytest.fixture
def other_api(db) -> Api:
    other = StoreFactory(code="tea-jd")
    return Api(Client(), api_token_create(store_codes=[other.code], name="JD connector")[1])


@pytest.fixture
def anonymous(db) -> Api:
    return Api(Client(), None)


@pytest.fixture
def kuaidi100(settings, live_server):
    """The Kuaidi100 backend through real HTTP to devtools.kuaidi100_server; its pushes reach the live server."""
    from devtools.kuaidi100_server import Kuaidi100Server

    server = Kuaidi100Server(key="test-key", autorun=False).start()
    settings.TRACKING_BACKEND = "logistics.tracking.kuaidi100.Kuaidi100Backend"
    settings.KUAIDI100_POLL_URL = server.poll_url
    settings.KUAIDI100_KEY = "test-key"
    settings.KUAIDI100_SALT = "test-salt"
    settings.PUBLIC_BASE_URL = live_server.url
    yield server
    server.stop()


def ship(order=None, *, courier="shunfeng", number=None, hours_ago=1, promised=None, **order_fields):
    """A shipment of `order` (a new one by default), sent `hours_ago` hours ago."""
    order = order or OrderFactory(**order_fields)
    number = number or f"SF{order.pk:010d}"
    shipped_at = timezone.now() - timedelta(hours=hours_ago)
    if order.placed_at > shipped_at:
        order.placed_at = shipped_at - timedelta(hours=1)
        order.save(update_fields=["placed_at"])
    [result] = shipments_record(
        shipments=[ShipmentInput(order.store_id, order.pk, courier, number, shipped_at, promised, order.external_id)]
    )
    return Shipment.objects.get(pk=result.id)
