"""Parcel notices are sent at most once whatever happens to the worker (ADR 0011), like the care SMS and campaign SMS:
through the real twilio client against the local Twilio server, whose record of what it accepted is the judge."""

import random
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from callbacks.models import ContactLog
from callbacks.services.dispatch import recording, sms_dispatch_due
from logistics.models import LogisticsPolicy, ShipmentNotice
from logistics.services.notices import PARCEL_NOTICES, notices_send_due
from tests.callbacks.conftest import midday_store
from tests.factories import CustomerFactory, OrderFactory
from tests.sms_faults import accepted_then_phone_changed, assert_each_sent_exactly_once, drain, sweep_in_killed_workers

from .conftest import ship

pytestmark = pytest.mark.django_db(transaction=True)
Status = ShipmentNotice.Status


def _shipped(count: int) -> list[ShipmentNotice]:
    """`count` parcels of a store that tells customers their parcel is on its way: each gets its shipping notice."""
    store = midday_store()
    LogisticsPolicy.objects.create(store=store, shipping_notice=True)
    for _ in range(count):
        ship(OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("500.00")))
    return list(ShipmentNotice.objects.filter(store=store, status=Status.PLANNED).select_related("customer"))


def _past_reconcile_age(settings):
    return time_machine.travel(timezone.now() + timedelta(seconds=settings.SMS_RECONCILE_AFTER_SECONDS + 1))


@pytest.mark.slow
def test_a_worker_killed_while_sending_parcel_notices_neither_loses_nor_doubles_one(twilio_backend, sms_fast_recovery):
    run = sweep_in_killed_workers(
        queue=PARCEL_NOTICES,
        twilio=twilio_backend,
        rng=random.Random(20261205),
        trials=12,
        release=lambda: _shipped(4),
    )
    assert len(run.rows) == 48
    assert run.stranded > 0, "no kill landed between claim and record: the test proved nothing"
    drain(PARCEL_NOTICES)
    assert_each_sent_exactly_once(twilio_backend, PARCEL_NOTICES, run.rows)
    ledger = Counter(ContactLog.objects.filter(purpose="logistics").values_list("order_id", flat=True))
    assert ledger == Counter(row.order_id for row in run.rows)  # one each: a retry is the same contact


@pytest.mark.parametrize("fault", ["500_after_record", "timeout"])
def test_a_notice_the_provider_accepted_without_answering_is_found_there_not_resent(twilio_backend, settings, fault):
    settings.TWILIO_HTTP_TIMEOUT = 0.4
    notices = _shipped(4)
    twilio_backend.configure(mode=fault, count=2, hang=0.6)
    notices_send_due()
    assert ShipmentNotice.objects.filter(status=Status.SENDING).count() == 2
    notices_send_due()  # too early to ask the provider: nothing is resent
    with _past_reconcile_age(settings):
        notices_send_due()
    assert len(twilio_backend.messages) == 4
    assert_each_sent_exactly_once(twilio_backend, PARCEL_NOTICES, notices)


def test_a_notice_whose_record_fails_after_the_provider_accepted_it_is_recorded_sent_not_resent(
    twilio_backend, settings, monkeypatch
):
    notices = _shipped(3)

    def failing(*args, **kwargs):
        raise RuntimeError("the database went away while the answers were written")

    with monkeypatch.context() as patched:
        patched.setattr(recording, "rows_set", failing)
        with pytest.raises(RuntimeError):
            notices_send_due()
    assert len(twilio_backend.messages) == 3
    assert ShipmentNotice.objects.filter(status=Status.SENDING).count() == 3
    notices_send_due()  # the claim is young: nothing is resent
    with _past_reconcile_age(settings):
        notices_send_due()
    assert_each_sent_exactly_once(twilio_backend, PARCEL_NOTICES, notices)


def test_two_sweeps_at_once_on_two_connections_send_each_notice_once(twilio_backend, settings):
    settings.SMS_BATCH_SIZE = 2
    notices = _shipped(10)
    twilio_backend.configure(latency=0.02)
    start = threading.Barrier(2)

    def sweep():
        try:
            start.wait()
            sms_dispatch_due(time_budget=5, queues=[PARCEL_NOTICES.name])
        finally:
            connection.close()

    workers = [threading.Thread(target=sweep) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert_each_sent_exactly_once(twilio_backend, PARCEL_NOTICES, notices)
    with transaction.atomic():
        assert ContactLog.objects.filter(purpose="logistics").count() == 10


def test_a_notice_accepted_before_the_customers_phone_changed_is_found_at_the_old_number_not_resent(
    twilio_backend, monkeypatch
):
    accepted_then_phone_changed(queue=PARCEL_NOTICES, twilio=twilio_backend, rows=_shipped(3), monkeypatch=monkeypatch)
