import datetime

from django.db import migrations, models


def waits_from_timeline(apps, schema_editor):
    """Cases that already waited: their resumed events say how many minutes each wait took."""
    Case = apps.get_model("crm", "Case")
    CaseEvent = apps.get_model("crm", "CaseEvent")
    waited: dict[int, int] = {}
    for case_id, data in CaseEvent.objects.filter(kind="resumed").values_list("case_id", "data").iterator():
        waited[case_id] = waited.get(case_id, 0) + int((data or {}).get("waited") or 0)
    cases = [Case(pk=pk, customer_waited=datetime.timedelta(minutes=minutes)) for pk, minutes in waited.items()]
    Case.objects.bulk_update(cases, ["customer_waited"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0020_case_awaiting_customer"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="customer_waited",
            field=models.DurationField(default=datetime.timedelta(0), verbose_name="waited on the customer for"),
        ),
        migrations.RunPython(waits_from_timeline, migrations.RunPython.noop),
    ]
