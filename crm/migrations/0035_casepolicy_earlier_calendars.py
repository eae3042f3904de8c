"""The service hours and days off a store kept before its current ones, each until it changed them (ADR 0035).

Every existing policy starts with none: its current hours and days off count from the beginning, as they were counted
until now."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0034_evidence_removal_lifted"),
    ]

    operations = [
        migrations.AddField(
            model_name="casepolicy",
            name="earlier_calendars",
            field=models.JSONField(default=list, editable=False, verbose_name="earlier service hours and days off"),
        ),
    ]
