"""An opt-out (STOP, 退订, the word the store's wording names, a sentence asking for it) or an opt-in word (START) is no
reply to a campaign (retention.services.replies); before, it was recorded as one, by retention 0010 for the SMS that
came before it and as they came since, so a customer who asked for no more messages counted under Replied and was
listed under Who replied. Their reply is taken back here, once, and a later answer of theirs that the rule counts is
recorded instead.

As retention 0010 does, and for its reason (the rule reads every SMS queue and the stores' opt-out words, which
historical models cannot run without a frozen second copy), it only asks for the one-off: it runs
`campaign_replies_forget_opt_words` when the `migrate` that applied it is over, on the models as the code has them then.
It does nothing on a database with no reply recorded, and is idempotent: run by hand again, it finds nothing to take back.
"""

from django.db import migrations

from crm.after_migrate import run_after_migrate


def _forget_opt_words() -> None:
    from retention.services.replies import campaign_replies_forget_opt_words

    campaign_replies_forget_opt_words()


forget_opt_words_after_migrate = run_after_migrate(
    _forget_opt_words, uid="retention.0011.campaign_replies_without_opt_words"
)


class Migration(migrations.Migration):
    dependencies = [("retention", "0010_campaign_replies_recorded_before")]

    operations = [migrations.RunPython(forget_opt_words_after_migrate, migrations.RunPython.noop)]
