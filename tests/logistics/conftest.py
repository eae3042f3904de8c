"""Fixtures for logistics: the local Kuaidi100-speaking server, shipments, and helpers to move parcels."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.outcomes import followup_log_outcome
from callbacks.telephony.memory import InMemoryBackend
from crm.models import Case
from crm.services.api_tokens import api_token_create
from crm.services.cases import case_open
from logistics.models import Shipment, ShipmentNotice
from logistics.services.delays import delays_follow_up, delays_sweep
from logistics.services.notices import notices_send_due
from logistics.services.shipments import ShipmentInput, shipments_record
from logistics.tracking.memory import InMemoryBackend as TrackingMemory
from tests.callbacks.conftest import midday_store
from tests.crm.api.conftest import Api
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory


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


def parcels_told_by_call():
    """Three call-tier parcels stalled, their customers opted out of SMS: the store's rule tells them by a call task
    only. The agent reaches the first customer (logged 'satisfied' ten minutes after the delay was found), gets no
    answer from the second, and nobody calls the third. Each customer then asks where the parcel is."""
    store = midday_store()
    agent = AgentFactory(stores=[store])  # on shift: the call tasks are theirs
    customers = [CustomerFactory(store=store, sms_opt_out=True) for _ in range(3)]
    parcels = [ship(OrderFactory(customer=c, total_amount=Decimal("1500")), hours_ago=30) for c in customers]
    delays_sweep()
    delays_follow_up()
    notices_send_due()
    assert not ShipmentNotice.objects.filter(channel="sms", status="sent").exists()
    tasks = {p: FollowUp.objects.get(order=p.order, purpose="logistics") for p in parcels}
    logged_at = timezone.now() + timedelta(minutes=10)
    with time_machine.travel(logged_at, tick=False):
        followup_log_outcome(followup=tasks[parcels[0]], agent=agent, outcome="satisfied", expected_seq=1)
        followup_log_outcome(followup=tasks[parcels[1]], agent=agent, outcome="no_answer", expected_seq=1)
    with time_machine.travel(logged_at + timedelta(minutes=5), tick=False):
        for parcel in parcels:
            case_open(store=store, customer=parcel.order.customer, source=Case.Source.INBOUND_SMS, order=parcel.order,
                      cause=Case.Cause.LOGISTICS)  # fmt: skip
    return store, parcels, logged_at
