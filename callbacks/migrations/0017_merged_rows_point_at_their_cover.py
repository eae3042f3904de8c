"""Rows merged into a care contact that planning later replaced kept pointing at the replaced contact (a chain: Y
merged into X, X into Z), and the call panel of Z, which lists the rows merged into it, left out Y's order. Writers now
keep every merged row pointing at the contact that covers it in the end (ADR 0051, `rows.followups_set_merged_into`);
this points the rows of the chains written before at the end of their chain, once. Each round moves every row one
link on along its chain as it was before the round, so chains of any length end in a few rounds; a second run finds
nothing to move."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

# A chain grows by one link a replacement of a contact; none grows this long, and a loop (none is written) stops here.
ROUNDS = 32


def point_at_the_end_of_the_chain(apps, schema_editor) -> None:
    FollowUp = apps.get_model("callbacks", "FollowUp")
    parent = FollowUp.objects.filter(pk=OuterRef("merged_into_id")).values("merged_into_id")[:1]
    for _ in range(ROUNDS):
        chained = FollowUp.objects.filter(merged_into__merged_into__isnull=False).exclude(
            merged_into__merged_into=F("pk")
        )
        if not chained.update(merged_into_id=Subquery(parent)):
            return


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0016_followup_customer_replied_at")]

    operations = [migrations.RunPython(point_at_the_end_of_the_chain, migrations.RunPython.noop)]
