"""A parcel's call notice tells its customer when the call reaches them (ADR 0021): its `sent_at` is the time the first
attempt that reached them was logged, stamped as each outcome is logged from now on. The calls logged before are
stamped here, once, from their call tasks' attempts, so the report's nightly rebuild of the whole history counts
their customers as told. Idempotent: a notice already stamped is left as it is.

The outcomes are written out as they are today (callbacks.models.REACHED_OUTCOMES): a migration does not follow the
code's later constants.
"""

from django.db import migrations
from django.db.models import Min

REACHED_OUTCOMES = ("satisfied", "dissatisfied", "do_not_call", "call_back")
CHUNK = 1_000


def stamp_reached_calls(apps, schema_editor) -> None:
    ShipmentNotice = apps.get_model("logistics", "ShipmentNotice")
    CallAttempt = apps.get_model("callbacks", "CallAttempt")
    unstamped = (
        ShipmentNotice.objects.filter(channel="call", sent_at__isnull=True, call_task__startswith="followup:")
        .order_by("pk")
        .values_list("pk", "call_task")
    )
    by_task: dict[int, list[int]] = {}
    for pk, task in unstamped.iterator(chunk_size=CHUNK):
        by_task.setdefault(int(task.removeprefix("followup:")), []).append(pk)
    task_ids = sorted(by_task)
    for start in range(0, len(task_ids), CHUNK):
        reached = (
            CallAttempt.objects.filter(followup_id__in=task_ids[start : start + CHUNK], outcome__in=REACHED_OUTCOMES)
            .values("followup_id")
            .annotate(first=Min("at"))
            .order_by()
        )
        for row in reached:
            ShipmentNotice.objects.filter(pk__in=by_task[row["followup_id"]]).update(sent_at=row["first"])


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0010_notice_sent_to"),
        ("callbacks", "0015_number_opt_out_customer_optional"),
    ]

    operations = [migrations.RunPython(stamp_reached_calls, migrations.RunPython.noop)]
