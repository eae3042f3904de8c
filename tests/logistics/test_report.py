"""The manager's report sections on parcel delays: found, told first, and complaints and bad reviews with and
without an early notice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Case
from crm.services.cases import case_open
from crm.timezones import store_today
from logistics.models import ShipmentNotice
from logistics.services.delays import delays_sweep
from logistics.services.notices import notices_send_due
from reports.metrics import Period
from reports.metrics.logistics import delays_found, early_notice_effect
from reports.rollups import rollups_refresh
from tests.callbacks.conftest import midday_store
from tests.factories import CustomerFactory, OrderFactory, ReviewFactory

from .conftest import ship

pytestmark = pytest.mark.django_db


def test_delays_told_first_and_what_an_early_notice_changed():
    store = midday_store()
    told = ship(OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("500")), hours_ago=30)
    silent = ship(
        OrderFactory(customer=CustomerFactory(store=store, sms_opt_out=True), total_amount=Decimal("500")),
        hours_ago=30,
    )
    delays_sweep()
    notices_send_due()
    assert ShipmentNotice.objects.get(shipment=told).status == "sent"
    # The customer who heard nothing complains about the delivery, then posts a bad review.
    case_open(
        store=store,
        customer=silent.order.customer,
        source=Case.Source.CALL,
        order=silent.order,
        cause=Case.Cause.LOGISTICS,
    )
    ReviewFactory(store=store, order=silent.order, rating=1, posted_at=timezone.now())
    rollups_refresh(store=store)
    today = store_today(store)
    period = Period(store=store, start=today - timedelta(days=1), end=today)

    [row] = delays_found(period).rows
    assert (row["found"], row["told"], row["told_first"]) == (2, 1, 1)
    rows = {r["group"]: r for r in early_notice_effect(period).rows}
    assert (rows["Told early"]["orders"], rows["Told early"]["complaints"], rows["Told early"]["bad_reviews"]) == (
        1,
        0,
        0,
    )
    assert (rows["Not told"]["orders"], rows["Not told"]["complaints"], rows["Not told"]["bad_reviews"]) == (1, 1, 1)
