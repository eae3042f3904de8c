from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat


def remedy_keys_with_currency(apps, schema_editor):
    """Remedy roll-ups are kept per currency now ("coupon:agreed:EUR", "12:EUR"; ADR 0036). The rows already stored
    get their store's currency, which is their remedies' wherever the store's orders are all in it; the next
    rebuild (every night for the whole history) writes them again from the remedies themselves."""
    DailyCount = apps.get_model("reports", "DailyCount")
    Store = apps.get_model("crm", "Store")
    currency = Subquery(Store.objects.filter(pk=OuterRef("store_id")).values("currency")[:1])
    for metric, old_key in (("remedy", r"^[^:]+:[^:]+$"), ("agent_remedy", r"^[^:]+$")):
        DailyCount.objects.filter(metric=metric, key__regex=old_key).update(key=Concat("key", Value(":"), currency))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_dailycount_period_index"),
        ("crm", "0022_store_and_remedy_currency"),
    ]

    operations = [migrations.RunPython(remedy_keys_with_currency, migrations.RunPython.noop)]
