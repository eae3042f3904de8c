"""Captions saved before evidence_add kept them to one line (crm.wording.one_line) are cleaned by a data migration,
with the timeline entries that show them."""

import sys

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from crm.models import Case, CaseEvent, CaseEvidence
from crm.services.cases import case_open
from tests.factories import AgentFactory, OrderFactory, StoreFactory

SAVED = {
    "receipt\u202egpj.exe": "receiptgpj.exe",  # read "receiptexe.jpg", and the time after it turned around
    "裂纹\u2067看这里\u202d": "裂纹看这里",
    " 第一行\r\n第二行\t": "第一行 第二行",  # a line of its own in the timeline
    "完好的说明": "完好的说明",
    "": "",
}


def _migration(executor: MigrationExecutor):
    (migration,) = [m for key, m in executor.loader.disk_migrations.items() if key[1].endswith("_captions_one_line")]
    return migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_cleans_the_captions_saved_before_and_their_timeline_entries(monkeypatch):
    executor = MigrationExecutor(connection)
    migration = _migration(executor)
    monkeypatch.setattr(sys.modules[migration.__module__], "BATCH", 2)  # several pages of rows
    store = StoreFactory()
    agent = AgentFactory(stores=[store])
    order = OrderFactory(store=store, customer__store=store)
    case, _ = case_open(store=store, customer=order.customer, order=order, source=Case.Source.CALL, assignee=agent)
    for caption in SAVED:  # as evidence_add saved them before (the evidence's schema is the same before and after)
        evidence = CaseEvidence.objects.create(
            case=case, url="https://img.example/a.jpg", caption=caption, added_at=timezone.now()
        )
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.EVIDENCE, at=timezone.now(), message=caption, data={"evidence": evidence.pk}
        )
    note = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NOTE, at=timezone.now(), message="a\r\nb")
    # Written with today's models, then taken back to before the migration (later migrations reshape other tables,
    # the agents' among them) and brought forward again: the migration runs over them as over captions saved before.
    executor.migrate([dependency for dependency in migration.dependencies if dependency[0] == "crm"])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(CaseEvidence.objects.order_by("pk").values_list("caption", flat=True)) == list(SAVED.values())
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.EVIDENCE).order_by("pk")
    assert list(events.values_list("message", flat=True)) == list(SAVED.values())
    assert CaseEvent.objects.get(pk=note.pk).message == "a\r\nb"  # a note is the agent's text, lines and all

    executor = MigrationExecutor(connection)  # reversible: going back changes nothing
    executor.migrate([dependency for dependency in migration.dependencies if dependency[0] == "crm"])
    assert list(CaseEvidence.objects.order_by("pk").values_list("caption", flat=True)) == list(SAVED.values())
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
