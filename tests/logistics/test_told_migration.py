"""Parcel call notices logged before a reached call stamped its time: the data migration stamps them from their call
tasks' attempts, so the report's nightly rebuild counts those customers as told (ADR 0021)."""

import sys

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from callbacks.models import CallAttempt
from logistics.models import ShipmentNotice

from .conftest import parcels_told_by_call

MIGRATION = ("logistics", "0011_call_notices_told_when_reached")


@pytest.mark.django_db(transaction=True)
def test_the_migration_stamps_the_calls_that_reached_the_customer_before_it(monkeypatch):
    executor = MigrationExecutor(connection)
    migration = executor.loader.disk_migrations[MIGRATION]
    monkeypatch.setattr(sys.modules[migration.__module__], "CHUNK", 1)  # several pages of notices and tasks
    _store, parcels, logged_at = parcels_told_by_call()
    calls = ShipmentNotice.objects.filter(channel="call")
    calls.update(sent_at=None)  # as the outcomes were recorded before
    reached = CallAttempt.objects.get(followup__order=parcels[0].order)
    assert reached.at == logged_at

    executor.migrate([("logistics", "0010_notice_sent_to")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stamped = dict(calls.values_list("shipment", "sent_at"))
    assert stamped == {parcels[0].pk: logged_at, parcels[1].pk: None, parcels[2].pk: None}
