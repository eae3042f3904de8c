"""Leave room on each page of the attributes table so the nightly refresh rewrites a row beside itself (ADR 0018).

Every refresh updates every customer's row (days since the last order move on each day). With half of each page
free, PostgreSQL keeps the new version on the same page and, since no indexed column changes, touches no index
(a "HOT" update). Existing pages keep their layout until the table is rewritten (VACUUM FULL); new pages get the
room at once. SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

TABLE = "retention_customerattributes"


def _room(fillfactor: int):
    def apply(apps, schema_editor):
        from crm.bulk import on_postgresql  # the one place that reads the database vendor (ADR 0019)

        if on_postgresql():
            schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {int(fillfactor)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("retention", "0002_campaign_contact_call_task")]

    operations = [migrations.RunPython(_room(45), _room(100))]
