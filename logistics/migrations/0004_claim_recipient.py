"""The number an SMS claim goes to, recorded with the claim (callbacks.services.dispatch.sms_claim_row). Rows already
`sending` get the customer's phone as it is now: the best that is known of where their claim sent them."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill_sending(apps, schema_editor):
    rows, customers = apps.get_model("logistics", "ShipmentNotice"), apps.get_model("crm", "Customer")
    phone = Subquery(customers.objects.filter(pk=OuterRef("customer_id")).values("phone")[:1])
    rows.objects.filter(status="sending").update(recipient=phone)


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0003_notice_suppressed_reason_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="shipmentnotice",
            name="recipient",
            field=models.CharField(blank=True, max_length=20, verbose_name="recipient's phone"),
        ),
        migrations.RunPython(backfill_sending, migrations.RunPython.noop),
    ]
