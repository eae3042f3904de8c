from django.db import migrations, models

from crm.migration_operations import AddIndexWithoutLock


class Migration(migrations.Migration):
    atomic = False  # the index is built without stopping the evidence's writes (crm.migration_operations)

    dependencies = [
        ("crm", "0033_evidence_quarantined"),
    ]

    operations = [
        # An operator lifted the removal for this reason, in the admin (ADR 0047): the recheck leaves the file for it.
        migrations.AddField(
            model_name="caseevidence",
            name="removal_lifted_for",
            field=models.CharField(blank=True, max_length=16, verbose_name="removal lifted for"),
        ),
        # The admin's "removed" filter reads the few removed rows, newest first.
        AddIndexWithoutLock(
            model_name="caseevidence",
            index=models.Index(
                condition=models.Q(("quarantined_at__isnull", False)), fields=["-id"], name="caseevidence_removed"
            ),
        ),
    ]
