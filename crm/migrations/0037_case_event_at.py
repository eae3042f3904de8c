from django.db import migrations, models

from crm.migration_operations import AddIndexWithoutLock


class Migration(migrations.Migration):
    # A table that grows with the stores' business stays writable while its index builds (crm.migration_operations).
    atomic = False

    dependencies = [
        ("crm", "0036_case_event_step_undone"),
    ]

    operations = [
        AddIndexWithoutLock(model_name="caseevent", index=models.Index(fields=["at"], name="case_event_at")),
    ]
