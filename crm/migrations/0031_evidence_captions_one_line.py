"""Evidence captions saved before evidence_add kept them to one line: cleaned with the function it uses now
(crm.wording.one_line: no direction controls, control characters and runs of spaces one space, none at either end),
and so are the timeline entries of those photos, which show the caption. Going back changes nothing: the characters
taken out were never meant to be there."""

from django.db import migrations

from crm.wording import one_line

BATCH = 1000


def _clean(model, field: str, **only) -> None:
    """In pages of BATCH rows by id, each read whole before it is written (SQLite gives a read no isolation from
    writes to the table it reads)."""
    last = 0
    while page := list(model.objects.filter(pk__gt=last, **only).order_by("pk").only("pk", field)[:BATCH]):
        last = page[-1].pk
        changed = [row for row in page if one_line(getattr(row, field)) != getattr(row, field)]
        for row in changed:
            setattr(row, field, one_line(getattr(row, field)))
        model.objects.bulk_update(changed, [field])


def captions_one_line(apps, schema_editor):
    _clean(apps.get_model("crm", "CaseEvidence"), "caption")
    _clean(apps.get_model("crm", "CaseEvent"), "message", kind="evidence")


class Migration(migrations.Migration):
    dependencies = [("crm", "0030_agent_store_roles")]

    operations = [migrations.RunPython(captions_one_line, migrations.RunPython.noop, elidable=True)]
