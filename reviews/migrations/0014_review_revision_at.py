from django.db import migrations, models

from crm.migration_operations import AddIndexWithoutLock


class Migration(migrations.Migration):
    # A table that grows with the stores' business stays writable while its index builds (crm.migration_operations).
    atomic = False

    dependencies = [
        ("reviews", "0013_revision_seen"),
    ]

    operations = [
        AddIndexWithoutLock(model_name="reviewrevision", index=models.Index(fields=["at"], name="review_revision_at")),
    ]
