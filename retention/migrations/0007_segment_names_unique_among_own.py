"""A built-in segment is known by its key, not its name: names are unique among a store's own segments only.

A store's own segment named like a built-in one (a store made before every store had its built-ins, whose manager
took the name) kept that built-in from being made. Now that the names no longer collide, every store gets the
built-ins it is missing, as migration 0004 made them; the store's own segments keep their names.
"""

import importlib

from django.db import migrations, models

create_builtin_segments = importlib.import_module(
    "retention.migrations.0004_builtin_segments_for_every_store"
).create_builtin_segments


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0016_form_submission"),
        ("retention", "0006_claim_recipient"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="segment", name="segment_name_unique_per_store"),
        migrations.AddConstraint(
            model_name="segment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("builtin", "")), fields=("store", "name"), name="segment_name_unique_per_store"
            ),
        ),
        migrations.RunPython(create_builtin_segments, migrations.RunPython.noop),
    ]
