"""Leave some room on each page of the customers table, so updating a customer is a same-page (HOT) update.

A customer's row is rewritten when an order system sends changed details and when the nightly segment refresh
gives them a new `vip_tier`; neither touches an indexed column. With 15 % of each page free, PostgreSQL keeps the
new version beside the old one and updates no index (ADR 0018). Existing pages keep their layout until the table is
rewritten (VACUUM FULL). SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

TABLE = "crm_customer"


def _room(fillfactor: int):
    def apply(apps, schema_editor):
        from crm.bulk import on_postgresql  # the one place that reads the database vendor (ADR 0019)

        if on_postgresql():
            schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {int(fillfactor)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("crm", "0013_case_workspace")]

    operations = [migrations.RunPython(_room(85), _room(100))]
