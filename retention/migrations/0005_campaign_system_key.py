"""The store's birthday campaign of a year is found by a key ("birthday:2027"), no longer by its translated name.

The birthday campaigns made before get their key here: those the birthday planner made (purpose birthday, no
segment and no author, which a manager's own campaign always has), their year that of their start in the store's
time (1 January). Where a renamed campaign or a change of language already gave a store two of one year, the first
made keeps the year's wishes and the other stays as it is, a campaign like any other.
"""

from zoneinfo import ZoneInfo

from django.db import migrations, models


def key_birthday_campaigns(apps, schema_editor):
    Campaign = apps.get_model("retention", "Campaign")
    keyed: set[tuple[int, str]] = set()
    made_by_planner = Campaign.objects.filter(purpose="birthday", segment__isnull=True, created_by__isnull=True)
    for campaign in made_by_planner.select_related("store").order_by("pk"):
        year = campaign.starts_at.astimezone(ZoneInfo(campaign.store.timezone)).year
        key = (campaign.store_id, f"birthday:{year}")
        if key not in keyed:
            keyed.add(key)
            Campaign.objects.filter(pk=campaign.pk).update(system_key=key[1])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0016_form_submission"),
        ("retention", "0004_builtin_segments_for_every_store"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="system_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=40, verbose_name="system key"),
        ),
        migrations.RunPython(key_birthday_campaigns, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.UniqueConstraint(
                condition=models.Q(("system_key", ""), _negated=True),
                fields=("store", "system_key"),
                name="campaign_system_key_once_per_store",
            ),
        ),
    ]
