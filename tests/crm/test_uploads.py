"""An uploaded file lives exactly as long as the write that stored it: a write that rolls back leaves no file behind.

Each test runs on a real PostgreSQL transaction (transaction=True): the failures are made by a trigger that refuses
a row in the database, so the rollback is the database's own, not a mock's.
"""

import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from crm.models import CaseEvidence
from crm.services.casework import evidence_add
from crm.tasks import uploads_sweep_orphans
from crm.uploads import uploads_discard_uncommitted
from tests.factories import call_case
from tests.images import PNG


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def case(transactional_db):
    return call_case()


@pytest.fixture
def refused_row(request):
    """A trigger that refuses `request.param` (a table and the operation), as a database refuses a row it cannot
    take (a constraint, a lock timeout, a full disk): the write's transaction rolls back."""
    table, operation = request.param
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE FUNCTION test_refuse_row() RETURNS trigger AS $$ BEGIN
                RAISE EXCEPTION 'row refused by the test';
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_refuse_row BEFORE {operation} ON {table}
                FOR EACH ROW EXECUTE FUNCTION test_refuse_row();
        """)  # fmt: skip
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER test_refuse_row ON {table}; DROP FUNCTION test_refuse_row()")


@pytest.mark.parametrize(
    "refused_row",
    [
        ("crm_caseevent", "INSERT"),  # the case's timeline entry, written after the photo's row
        ("crm_formsubmission", "UPDATE"),  # the form's token, written after evidence_add returned
    ],
    indirect=True,
    ids=["timeline-entry", "form-token"],
)
def test_an_upload_whose_write_rolls_back_leaves_no_file_in_storage(client, case, refused_row, tmp_path):
    client.force_login(case.assignee.user)
    client.raise_request_exception = False
    photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")

    response = client.post(f"/cases/{case.pk}/evidence", {"submission": str(uuid.uuid4()), "photo": photo})

    assert response.status_code == 500
    assert not CaseEvidence.objects.exists()
    assert _stored_files(tmp_path) == []


def test_an_upload_whose_write_commits_keeps_its_file(client, case, tmp_path):
    client.force_login(case.assignee.user)
    photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")

    client.post(f"/cases/{case.pk}/evidence", {"submission": str(uuid.uuid4()), "photo": photo})

    evidence = CaseEvidence.objects.get()
    assert _stored_files(tmp_path) == [Path(evidence.image.path)]
    assert Path(evidence.image.path).read_bytes() == PNG


def test_an_upload_in_a_savepoint_that_rolls_back_is_removed_while_its_neighbour_is_kept(case, tmp_path):
    """Outside a request (a command, a task) the writer settles the files when its transaction is over."""
    actor = case.assignee.user
    with transaction.atomic():
        kept = evidence_add(case=case, actor=actor, photo=SimpleUploadedFile("a.png", PNG))
        with pytest.raises(DatabaseError), transaction.atomic():
            evidence_add(case=case, actor=actor, photo=SimpleUploadedFile("b.png", PNG))
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1/0")  # a later statement of the same write fails
        uploads_discard_uncommitted()  # still inside the transaction: nothing is known yet, nothing goes
        assert len(_stored_files(tmp_path)) == 2
    uploads_discard_uncommitted()

    assert list(CaseEvidence.objects.values_list("pk", flat=True)) == [kept.pk]
    assert _stored_files(tmp_path) == [Path(kept.image.path)]


def test_the_admin_deletes_no_case_nor_its_evidence_so_no_photo_is_left_without_its_row(admin_client, case, tmp_path):
    """Nothing deletes a case or its evidence (ADR 0030): a case and its photos are the store's record of a dispute.
    Were a delete added, the files of the rows it takes would have to go once it commits (ADR 0047)."""
    with transaction.atomic():
        evidence = evidence_add(case=case, actor=case.assignee.user, photo=SimpleUploadedFile("a.png", PNG))
    pages = [
        f"/admin/crm/case/{case.pk}/delete/",
        f"/admin/crm/caseevidence/{evidence.pk}/delete/",
        # What a case hangs on is protected by it (PROTECT): Django's page says so and deletes nothing.
        f"/admin/crm/customer/{case.customer_id}/delete/",
        f"/admin/crm/order/{case.order_id}/delete/",
        f"/admin/crm/store/{case.store_id}/delete/",
    ]

    answers = [admin_client.post(page, {"post": "yes"}).status_code for page in pages]

    assert answers == [403, 403, 200, 200, 200]
    assert CaseEvidence.objects.filter(pk=evidence.pk, case=case).exists()
    assert _stored_files(tmp_path) == [Path(evidence.image.path)]


def _aged(path: Path, days: float) -> None:
    """The file's time in storage set back `days` (the file system's clock, which FileSystemStorage reads)."""
    then = time.time() - days * 86_400
    os.utime(path, (then, then))


def test_the_sweep_deletes_only_the_old_upload_no_row_names(case, tmp_path):
    """A process that died after storing an upload and before its transaction ended (a worker killed, a machine lost)
    left the file in storage with no row naming it, for good: nothing ever looked at it again (ADR 0047)."""
    with transaction.atomic():
        kept = evidence_add(case=case, actor=case.assignee.user, photo=SimpleUploadedFile("a.png", PNG))
    storage = kept.image.storage
    orphan = storage.save(f"evidence/2026/01/{uuid.uuid4().hex}.png", ContentFile(PNG))  # its process died
    fresh = storage.save(f"evidence/2026/12/{uuid.uuid4().hex}.png", ContentFile(PNG))  # its write is still open
    elsewhere = storage.save("letters/batch.pdf", ContentFile(b"%PDF-1.7"))  # not an upload's folder
    for name in (kept.image.name, orphan, elsewhere):
        _aged(Path(storage.path(name)), days=3)
    _aged(Path(storage.path(fresh)), days=0)  # written now by the clock the sweep reads, whatever the test runs at

    for _ in range(2):  # safe to run twice
        uploads_sweep_orphans()

    assert sorted(_stored_files(tmp_path)) == sorted(
        Path(storage.path(name)) for name in (kept.image.name, fresh, elsewhere)
    )
    assert CaseEvidence.objects.get().image.read() == PNG


def test_the_sweep_runs_every_hour_in_beat_and_takes_no_arguments():
    from config.celery import app

    app.finalize()
    (entry,) = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "crm.uploads_sweep"]
    assert entry["schedule"] == 3600.0 and not entry.get("args") and not entry.get("kwargs")
