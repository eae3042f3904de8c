"""Migration operations that build an index without stopping the writes to its table.

A plain `CREATE INDEX` holds a lock that blocks every insert and update of the table until the index is built: on a
store's 450,000 customers a trigram index takes tens of seconds, in which order batches bringing new customers wait,
time out and are retried by the order systems. On PostgreSQL these build `CONCURRENTLY` (the table stays writable;
the build takes longer and cannot run in a transaction, so the migration says `atomic = False`). A concurrent build
that fails (a deploy killed half way, a unique index finding duplicates) leaves an INVALID index behind, which
PostgreSQL keeps up to date but never reads: a rerun drops it first and builds it again, where `IF NOT EXISTS` would
keep it. SQLite, the embedded default, builds as Django does. Used for every index on a table that grows with the
stores' business (docs/architecture.md, "Migrations").
"""

from django.db import NotSupportedError, migrations


def drop_invalid_index(schema_editor, name: str) -> None:
    """Drop index `name` if an interrupted concurrent build left it invalid (PostgreSQL only)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid "
            "WHERE pg_class.relname = %s AND pg_table_is_visible(pg_class.oid) AND NOT pg_index.indisvalid",
            [name],
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class AddIndexWithoutLock(migrations.AddIndex):
    """`AddIndex`, built `CONCURRENTLY` on PostgreSQL (an invalid leftover of a failed build replaced)."""

    atomic = False

    def _ensure_not_in_transaction(self, schema_editor) -> None:
        if schema_editor.connection.in_atomic_block:
            raise NotSupportedError("An index is built without a lock only outside a transaction: atomic = False.")

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        self._ensure_not_in_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            drop_invalid_index(schema_editor, self.index.name)
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        self._ensure_not_in_transaction(schema_editor)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


def create_index_without_lock(schema_editor, name: str, definition: str) -> None:
    """For a RunPython of a PostgreSQL-only index (an expression or operator class Django's Index does not spell):
    `CREATE INDEX CONCURRENTLY "name" <definition>`, an invalid leftover replaced. The migration is `atomic = False`."""
    drop_invalid_index(schema_editor, name)
    schema_editor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" {definition}')


def drop_index_without_lock(schema_editor, name: str) -> None:
    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
