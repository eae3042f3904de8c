import django.db.models.functions.text
from django.db import migrations, models

from crm.migration_operations import AddIndexWithoutLock, create_index_without_lock, drop_index_without_lock

# The name search's index: trigrams of the upper-cased name, which Django's icontains / istartswith compare
# (UPPER(name) LIKE UPPER(...)). PostgreSQL's own (pg_trgm, a trusted extension: the database's owner may create
# it); SQLite, the embedded default, searches without it. ADR 0042.
TRIGRAM_INDEX = "customer_name_trigram"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    create_index_without_lock(
        schema_editor, TRIGRAM_INDEX, 'ON "crm_customer" USING gin (UPPER("name"::text) gin_trgm_ops)'
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_index_without_lock(schema_editor, TRIGRAM_INDEX)


class Migration(migrations.Migration):
    # The customers' table stays writable while its indexes build (crm.migration_operations).
    atomic = False

    dependencies = [
        ("crm", "0025_store_days_off_and_closures"),
    ]

    operations = [
        AddIndexWithoutLock(
            model_name="customer",
            index=models.Index(fields=["store", "name", "id"], name="customer_store_name"),
        ),
        AddIndexWithoutLock(
            model_name="customer",
            index=models.Index(fields=["name", "id"], name="customer_name"),
        ),
        AddIndexWithoutLock(
            model_name="customer",
            index=models.Index(
                models.F("store"),
                django.db.models.functions.text.Right("phone", 4),
                name="customer_store_phone_last4",
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
