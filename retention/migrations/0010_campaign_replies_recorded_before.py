"""A campaign contact's reply is recorded as it comes (`replied_at`, retention.services.replies); before, nothing wrote
it and the results found the replies among the inbound SMS each time the page was read. The replies that came before
are recorded here, once, so the campaigns' Replied and their lists of who replied keep them.

Which SMS is a reply is the rule of retention.services.replies (the store's messages to the number over every SMS
queue, the sender read as the inbound SMS reads it), which historical models cannot run without a frozen second copy.
So this migration only asks for the one-off: it runs `campaign_replies_backfill` when the `migrate` that applied it is
over, on the models as the code has them then (as callbacks 0012 does). It does nothing on a database with no contact
reached, and is idempotent: run by hand again, it finds no reply not recorded.
"""

from django.db import migrations

from crm.after_migrate import run_after_migrate


def _record_replies() -> None:
    from retention.services.replies import campaign_replies_backfill

    campaign_replies_backfill()


record_replies_after_migrate = run_after_migrate(_record_replies, uid="retention.0010.campaign_replies")


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0009_campaign_contact_sent_to"),
        ("callbacks", "0015_number_opt_out_customer_optional"),
    ]

    operations = [migrations.RunPython(record_replies_after_migrate, migrations.RunPython.noop)]
