"""Calls planned on a closure's days before closures stopped calls (ADR 0035) stayed there: recording a closure moves
the calls planned on its days, but the closures recorded before that never did, and their evenings' calls would be
missed. They are placed again here, once, as recording the closure places them.

Placing a call is planning's rule (the evening's capacity, the overflow rule, the dedicated owner), which historical
models cannot run without a frozen second copy of the planner. So this migration only asks for the one-off: it runs
`callbacks.services.replan.followups_free_closed_days` when the `migrate` that applied it is over, on the models as
the code has them then (a later migration of the same run may still change them). It does nothing on a database that
has no closure, and is idempotent: run by hand again, it finds nothing to move.
"""

from django.db import migrations

from crm.after_migrate import run_after_migrate


def _free_closed_evenings() -> None:
    from django.utils import timezone

    from callbacks.services.replan import followups_free_closed_days

    followups_free_closed_days(now=timezone.now())


free_closed_evenings_after_migrate = run_after_migrate(_free_closed_evenings, uid="callbacks.0012.free_closed_evenings")


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0011_contact_store_at"),
        ("crm", "0027_storeclosure_recorded_at"),
    ]

    operations = [migrations.RunPython(free_closed_evenings_after_migrate, migrations.RunPython.noop)]
