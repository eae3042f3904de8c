from django.db import migrations

from crm.migration_operations import create_index_without_lock, drop_index_without_lock

# A name search of one or two characters without letters that have a case (a surname, "张伟") finds names beginning
# with them by reading this index in order: the C collation makes LIKE 'q%' a range of it, whatever the database's
# own collation. PostgreSQL's own; SQLite searches without it. ADR 0042.
PREFIX_INDEX = "customer_store_name_c"


def create_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        create_index_without_lock(
            schema_editor, PREFIX_INDEX, 'ON "crm_customer" ("store_id", ("name" COLLATE "C"), "id")'
        )


def drop_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_index_without_lock(schema_editor, PREFIX_INDEX)


class Migration(migrations.Migration):
    atomic = False  # built without stopping the customers' writes (crm.migration_operations)

    dependencies = [
        ("crm", "0028_storeclosure_ended_at"),
    ]

    operations = [migrations.RunPython(create_prefix_index, drop_prefix_index, elidable=False)]
