"""How PostgreSQL stores a table, set from a migration: settings SQLite does not have (ADR 0019: the database
vendor is read in crm.bulk only)."""

from django.db import migrations


def set_fillfactor(table: str, percent: int) -> migrations.RunPython:
    """A migration operation: new pages of `table` are filled to `percent`, the rest left free so that updating a row
    can keep its new version on the same page (a HOT update, when no indexed column changes); reversed, back to
    PostgreSQL's default of 100. Existing pages keep their layout until the table is rewritten (VACUUM FULL)."""

    def to(fillfactor: int):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(fillfactor)})")

        return apply

    return migrations.RunPython(to(percent), to(100))
