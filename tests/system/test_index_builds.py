"""Indexes on the tables that grow with the stores' business are built without stopping their writes
(crm.migration_operations): CONCURRENTLY on PostgreSQL, an invalid leftover of a failed build replaced."""

import pytest
from django.db import NotSupportedError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddIndex, RunPython
from django.test.utils import CaptureQueriesContext

from crm.migration_operations import AddIndexWithoutLock
from tests.factories import CustomerFactory, StoreFactory

PROJECT_APPS = {"crm", "callbacks", "reviews", "logistics", "retention", "letters", "reports"}
# Index migrations from before indexes were built without a lock: each ran once on every database, as it is.
BUILT_WITH_A_LOCK = {
    ("callbacks", "0003_policy_dispatch_calls"), ("callbacks", "0006_contact_gate"),
    ("callbacks", "0008_calls_recorded_before_placing"), ("callbacks", "0011_contact_store_at"),
    ("crm", "0003_case_policy_and_sla"), ("crm", "0009_partial_indexes_owner_delivered"),
    ("crm", "0013_case_workspace"), ("crm", "0018_case_event_reopened_index"), ("crm", "0019_audit_search_indexes"),
    ("crm", "0020_case_awaiting_customer"), ("crm", "0024_remedy_self_approved"),
    ("logistics", "0005_shipment_open_store"), ("reports", "0002_dailycount_period_index"),
    ("reviews", "0002_triage_monitors_replies_casework"), ("reviews", "0003_review_awaiting_case_index"),
    ("reviews", "0005_partial_indexes_for_intake"), ("reviews", "0006_reply_recent_index_matches_order"),
    ("reviews", "0012_review_waiting_for_order_index"),
}  # fmt: skip


def _index_valid(name: str) -> bool | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s", [name]
        )
        row = cursor.fetchone()
    return row and row[0]


def _states(operation):
    before = MigrationLoader(connection).project_state()
    after = before.clone()
    operation.state_forwards("crm", after)
    return before, after


@pytest.mark.django_db(transaction=True)
def test_an_index_is_built_concurrently_in_place_of_a_failed_build_s_invalid_leftover():
    store = StoreFactory()
    CustomerFactory.create_batch(2, store=store, name="王芳")
    # A unique build over duplicates fails half way, as a killed deploy would, and leaves its index invalid.
    with pytest.raises(Exception, match="could not create unique index"), connection.cursor() as cursor:
        cursor.execute('CREATE UNIQUE INDEX CONCURRENTLY "customer_probe" ON "crm_customer" ("name")')
    assert _index_valid("customer_probe") is False

    operation = AddIndexWithoutLock("customer", models.Index(fields=["external_id", "id"], name="customer_probe"))
    before, after = _states(operation)
    with connection.schema_editor(atomic=False) as editor, CaptureQueriesContext(connection) as queries:
        operation.database_forwards("crm", editor, before, after)

    assert _index_valid("customer_probe") is True
    built = [q["sql"] for q in queries if "CREATE INDEX" in q["sql"]]
    assert len(built) == 1 and "CREATE INDEX CONCURRENTLY" in built[0] and '"external_id"' in built[0]
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("crm", editor, after, before)
    assert _index_valid("customer_probe") is None


@pytest.mark.django_db(transaction=True)
def test_an_index_without_a_lock_refuses_to_run_in_a_transaction():
    operation = AddIndexWithoutLock("customer", models.Index(fields=["external_id", "id"], name="customer_probe"))
    before, after = _states(operation)
    with transaction.atomic(), connection.schema_editor() as editor, pytest.raises(NotSupportedError):
        operation.database_forwards("crm", editor, before, after)


def test_every_index_migration_since_builds_without_a_lock():
    # A new index on a big table with plain AddIndex (or a RunPython in a migration left atomic) would hold the
    # table's writes for the whole build.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in loader.disk_migrations.items():
        if app not in PROJECT_APPS or (app, name) in BUILT_WITH_A_LOCK or name.startswith("0001_"):
            continue
        adds = [op for op in migration.operations if isinstance(op, AddIndex)]
        assert all(isinstance(op, AddIndexWithoutLock) for op in adds), (app, name)
        builds_by_hand = any(isinstance(op, RunPython) and "index" in op.code.__name__ for op in migration.operations)
        if adds or builds_by_hand:
            assert migration.atomic is False, (app, name)
