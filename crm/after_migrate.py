"""A data migration whose rule lives in the code (planning, the campaign replies' rule) and which historical models
cannot run without a frozen second copy of that code: the migration only asks for a one-off step, which runs when the
`migrate` that applied it is over, on the models as the code has them then (a later migration of the same run may
still change them). The step must be idempotent: it may be run by hand again.
"""

from collections.abc import Callable

from django.db.models.signals import post_migrate


def run_after_migrate(step: Callable[[], object], *, uid: str) -> Callable[..., None]:
    """The `RunPython` code that has `step` (no arguments) run once after this `migrate`: `post_migrate` is sent once
    per app, so the receiver disconnects itself before it runs. `uid` names it (one per migration)."""

    def run(sender, **kwargs) -> None:
        post_migrate.disconnect(dispatch_uid=uid)
        step()

    def connect(apps, schema_editor) -> None:
        post_migrate.connect(run, weak=False, dispatch_uid=uid)

    return connect
