"""Every store has the built-in segments from its creation (retention.receivers.store_builtin_segments); the
stores made before that got them when a retention page was first opened, or not yet: they get them here, so the
pages only read.

The keys and names are frozen here (their rules are read from retention.rules by key). A name is in the site's
default language, as the segments of a new store made by the demo seed; a name a store already uses for its own
segment is left alone, as the pages did.
"""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

BUILTINS = {
    "high_value_repeat": "High-value repeat buyers",
    "first_time": "First-time buyers",
    "lapsed": "Lapsed (past their cycle)",
    "birthday_next_month": "Birthdays next month",
    "recently_unhappy": "Recently unhappy",
}


def create_builtin_segments(apps, schema_editor):
    Store = apps.get_model("crm", "Store")
    Segment = apps.get_model("retention", "Segment")
    with translation.override(settings.LANGUAGE_CODE):
        names = {key: gettext(name) for key, name in BUILTINS.items()}
    for store_id in Store.objects.values_list("pk", flat=True).order_by("pk"):
        have = set(Segment.objects.filter(store_id=store_id).exclude(builtin="").values_list("builtin", flat=True))
        Segment.objects.bulk_create(
            [Segment(store_id=store_id, builtin=key, name=names[key], rules=[]) for key in BUILTINS if key not in have],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0003_attributes_fillfactor")]

    operations = [migrations.RunPython(create_builtin_segments, migrations.RunPython.noop)]
