from django.db import migrations, models
from django.db.models import Count, Min, OuterRef, Subquery

import crm.validators


def stores_currency_from_orders(apps, schema_editor):
    """A store whose orders are all in one currency sells in it; a store with none, or with several, keeps CNY (its
    manager changes it on the policy page)."""
    Order = apps.get_model("crm", "Order")
    Store = apps.get_model("crm", "Store")
    sold_in = (
        Order.objects.values("store_id")
        .annotate(currencies=Count("currency", distinct=True), currency=Min("currency"))
        .filter(currencies=1)
        .exclude(currency="CNY")
        .order_by()
    )
    for row in sold_in:
        Store.objects.filter(pk=row["store_id"]).update(currency=row["currency"])


def remedies_currency_from_cases(apps, schema_editor):
    """A remedy is in its case's order's currency, else its store's (ADR 0036): what an agent of a store selling in
    euros wrote, under a label that said CNY, was what they gave the customer, in the customer's money."""
    Case = apps.get_model("crm", "Case")
    Remedy = apps.get_model("crm", "Remedy")
    of_case = Case.objects.filter(pk=OuterRef("case_id"))
    Remedy.objects.filter(case__order__isnull=False).update(currency=Subquery(of_case.values("order__currency")[:1]))
    Remedy.objects.filter(case__order__isnull=True).update(currency=Subquery(of_case.values("store__currency")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0021_case_customer_waited"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="currency",
            field=models.CharField(
                default="CNY",
                max_length=3,
                validators=[crm.validators.validate_currency_code],
                verbose_name="currency",
            ),
        ),
        migrations.AddField(
            model_name="remedy",
            name="currency",
            field=models.CharField(default="CNY", max_length=3, verbose_name="currency"),
        ),
        migrations.AddConstraint(
            model_name="store",
            constraint=models.CheckConstraint(
                condition=models.Q(("currency__regex", "^[A-Z]{3}$")), name="store_currency_iso"
            ),
        ),
        migrations.AddConstraint(
            model_name="remedy",
            constraint=models.CheckConstraint(
                condition=models.Q(("currency__regex", "^[A-Z]{3}$")), name="remedy_currency_iso"
            ),
        ),
        migrations.RunPython(stores_currency_from_orders, migrations.RunPython.noop),
        migrations.RunPython(remedies_currency_from_cases, migrations.RunPython.noop),
    ]
