"""Leave room on each page of the attributes table so the nightly refresh rewrites a row beside itself (ADR 0018).

Every refresh updates every customer's row (days since the last order move on each day). With half of each page
free, PostgreSQL keeps the new version on the same page and, since no indexed column changes, touches no index
(a "HOT" update). SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

from crm.bulk.storage import set_fillfactor


class Migration(migrations.Migration):
    dependencies = [("retention", "0002_campaign_contact_call_task")]

    operations = [set_fillfactor("retention_customerattributes", 45)]
