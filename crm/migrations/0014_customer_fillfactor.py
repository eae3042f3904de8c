"""Leave some room on each page of the customers table, so updating a customer is a same-page (HOT) update.

A customer's row is rewritten when an order system sends changed details and when the nightly segment refresh
gives them a new `vip_tier`; neither touches an indexed column. With 15 % of each page free, PostgreSQL keeps the
new version beside the old one and updates no index (ADR 0018). SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

from crm.bulk.storage import set_fillfactor


class Migration(migrations.Migration):
    dependencies = [("crm", "0013_case_workspace")]

    operations = [set_fillfactor("crm_customer", 85)]
