"""Evidence files stored before the upload check knew what it refuses today (a PDF with active content, a
decompression bomb, a page stored as a photo) are read through that check again (`manage.py recheck_evidence`,
crm.services.evidence_recheck): one that fails is removed from its case (the case page says so, its download is
gone, 410), its file kept in storage for audit (ADR 0047)."""

import html
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pypdf.actions import JavaScript

from crm.models import AuditLog, CaseEvidence
from crm.services.casework import evidence_add
from crm.uploads import upload_refusal
from tests.crm.test_hostile_uploads import _animation
from tests.crm.test_upload_pdfs import HOSTILE
from tests.factories import UserFactory, call_case
from tests.images import JPEG, PNG, claiming
from tests.pdfs import PDF, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case():
    return call_case()


def _stored(case, content: bytes, *, name: str = "receipt.pdf", caption: str = "") -> CaseEvidence:
    """Evidence as it was stored before the check refused `content`: a clean upload, its file then overwritten."""
    clean = {"png": PNG, "jpg": JPEG}.get(name.rpartition(".")[2], PDF)
    evidence = evidence_add(
        case=case, actor=case.assignee.user, photo=SimpleUploadedFile(name, clean), caption=caption or name
    )
    with evidence.image.open("wb") as stored:
        stored.write(content)
    return evidence


def _page_text(client, case, language: str) -> str:
    page = client.get(f"/cases/{case.pk}/", headers={"accept-language": language}).content.decode()
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _recheck(*args: str) -> str:
    out = io.StringIO()
    call_command("recheck_evidence", *args, stdout=out)
    return out.getvalue()


def test_a_stored_pdf_that_the_check_refuses_today_is_removed_from_its_case_and_kept_in_storage(client, case):
    """Such a PDF was served as a download (nosniff, attachment) to whoever opened the case, or the evidence pack."""
    xfa = _stored(case, HOSTILE["xfa-form"][0], caption="invoice")
    script = _stored(case, HOSTILE["javascript-in-an-object-stream"][0], caption="courier report")
    clean = _stored(case, PDF, caption="receipt")
    photo = _stored(case, PNG, name="crack.png", caption="crack")

    report = _recheck()

    assert f"evidence #{xfa.pk} (case #{case.pk}): xfa" in report
    assert f"evidence #{script.pk} (case #{case.pk}): script" in report
    assert "checked 4 files: 2 removed, 0 already removed, 0 missing from storage" in report
    removed = {e.pk: e.quarantine_reason for e in CaseEvidence.objects.exclude(quarantined_at=None)}
    assert removed == {xfa.pk: "xfa", script.pk: "script"}
    assert Path(CaseEvidence.objects.get(pk=xfa.pk).image.path).read_bytes() == HOSTILE["xfa-form"][0]  # for audit
    audited = AuditLog.objects.filter(action="evidence_quarantined", store=case.store, target=f"case #{case.pk}")
    assert sorted(entry.data["evidence"] for entry in audited) == sorted([xfa.pk, script.pk])

    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{xfa.pk}").status_code == 410
    assert client.get(f"/cases/evidence/{script.pk}").status_code == 410
    assert client.get(f"/cases/evidence/{clean.pk}").status_code == 200
    assert client.get(f"/cases/evidence/{photo.pk}").status_code == 200
    links = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/evidence/{xfa.pk}"' not in links
    assert f'href="/cases/evidence/{clean.pk}"' in links
    page = _page_text(client, case, "en")
    assert "Photo: invoice — Removed: active content. Photo: the PDF is an XFA form, which can run scripts" in page


def test_the_case_page_says_a_file_was_removed_in_chinese(client, case):
    _stored(case, HOSTILE["remote-go-to-link"][0], caption="发票")
    _recheck()
    client.force_login(case.assignee.user)

    page = _page_text(client, case, "zh-hans")

    assert "照片：发票 — 已移除：含有主动内容。 照片：该 PDF 含有打开另一个 PDF 的链接" in page


def test_a_stored_pdf_whose_layers_print_otherwise_than_they_show_is_removed(client, case):
    layered = _stored(case, HOSTILE["layer-printed-not-shown"][0], caption="delivery note")

    report = _recheck()

    assert f"evidence #{layered.pk} (case #{case.pk}): screen_and_print" in report
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{layered.pk}").status_code == 410
    assert (
        "Photo: delivery note — Removed: active content. Photo: the PDF has layers set to show one thing on screen "
        "and print another"
    ) in _page_text(client, case, "en")


def test_a_second_run_removes_nothing_more_and_records_nothing_again(case):
    hostile = _stored(case, HOSTILE["submit-form-link"][0])
    _recheck()
    first = CaseEvidence.objects.get(pk=hostile.pk).quarantined_at

    report = _recheck()

    assert "checked 0 files: 0 removed, 1 already removed, 0 missing from storage" in report
    assert CaseEvidence.objects.get(pk=hostile.pk).quarantined_at == first
    assert AuditLog.objects.filter(action="evidence_quarantined").count() == 1


def test_a_dry_run_reports_and_removes_nothing(client, case):
    hostile = _stored(case, HOSTILE["rich-media"][0])

    report = _recheck("--dry-run")

    assert f"evidence #{hostile.pk} (case #{case.pk}): media" in report
    assert "checked 1 file: 1 would be removed (dry run)" in report
    assert not CaseEvidence.objects.exclude(quarantined_at=None).exists()
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{hostile.pk}").status_code == 200


def test_a_pdf_that_cannot_be_read_or_opened_is_removed_too_and_a_missing_file_is_reported(client, case):
    """At upload a PDF pypdf cannot read, or one a password keeps from being read, is refused: nothing in it can be
    checked. The same holds for one stored before."""
    unreadable = _stored(case, b"%PDF-1.7\n<html><script>alert(1)</script></html>")
    locked = _stored(case, HOSTILE["password"][0])
    gone = _stored(case, PDF)
    Path(gone.image.path).unlink()

    report = _recheck()

    assert f"evidence #{unreadable.pk} (case #{case.pk}): unreadable" in report
    assert f"evidence #{locked.pk} (case #{case.pk}): password" in report
    assert f"evidence #{gone.pk} (case #{case.pk}): missing from storage" in report
    assert "checked 2 files: 2 removed, 0 already removed, 1 missing from storage" in report
    client.force_login(case.assignee.user)
    page = _page_text(client, case, "en")
    assert "Removed: its contents cannot be checked. Photo: the PDF cannot be read, so its contents cannot be" in page
    assert "Removed: its contents cannot be checked. Photo: the PDF is protected by a password" in page


BOMB = claiming("PNG", 100_000, 100_000)  # 79 bytes; 30 GB once a browser decodes it
PAGE = b"<!DOCTYPE html><html><body><script>fetch('/cases/')</script></body></html>"


def test_a_stored_decompression_bomb_and_a_page_stored_as_a_photo_are_removed_and_kept_in_storage(client, case):
    """A bomb stored before images were limited to 80 megapixels was served inline and froze the tab that opened
    it; a page stored as a photo before uploads were checked by their bytes was still served. The recheck reads every
    stored file through the upload check, not only PDFs."""
    bomb = _stored(case, BOMB, name="crack.png", caption="crack")
    page = _stored(case, PAGE, name="box.jpg", caption="box")
    photo = _stored(case, JPEG, name="label.jpg", caption="label")

    report = _recheck()

    assert f"evidence #{bomb.pk} (case #{case.pk}): too_many_pixels" in report
    assert f"evidence #{page.pk} (case #{case.pk}): wrong_type" in report
    assert "checked 3 files: 2 removed, 0 already removed, 0 missing from storage" in report
    removed = {e.pk: e.quarantine_reason for e in CaseEvidence.objects.exclude(quarantined_at=None)}
    assert removed == {bomb.pk: "too_many_pixels", page.pk: "wrong_type"}
    assert Path(CaseEvidence.objects.get(pk=bomb.pk).image.path).read_bytes() == BOMB  # for audit
    assert Path(CaseEvidence.objects.get(pk=page.pk).image.path).read_bytes() == PAGE
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{bomb.pk}").status_code == 410
    assert client.get(f"/cases/evidence/{page.pk}").status_code == 410
    assert client.get(f"/cases/evidence/{photo.pk}").status_code == 200
    shown = _page_text(client, case, "en")
    assert "Photo: crack — Removed: the image is too large to open. Photo: the image is larger than 80 megapixels" in (
        shown
    )
    assert "Photo: box — Removed: not a photo or a PDF. Photo: the file's contents are not one of JPEG, PNG" in shown
    chinese = _page_text(client, case, "zh-hans")
    assert "照片：crack — 已移除：图片过大，无法打开。" in chinese
    assert "照片：box — 已移除：不是照片或 PDF。" in chinese

    again = _recheck()

    assert "checked 1 file: 0 removed, 2 already removed, 0 missing from storage" in again
    assert AuditLog.objects.filter(action="evidence_quarantined").count() == 2


def test_a_stored_animation_whose_frames_add_up_to_more_than_the_limit_is_removed(client, case):
    """Stored before the limit counted an animation's frames: 2,001 frames of 200 x 200 pixels."""
    animation = _stored(case, _animation("PNG", (200, 200), 2001), name="loop.png", caption="loop")

    report = _recheck()

    assert f"evidence #{animation.pk} (case #{case.pk}): too_many_frames" in report
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{animation.pk}").status_code == 410
    assert (
        "Photo: loop — Removed: the image is too large to open. Photo: the animation's frames add up to more than 80 "
        "megapixels" in _page_text(client, case, "en")
    )


def _lift(client, *evidence: CaseEvidence):
    return client.post(
        "/admin/crm/caseevidence/",
        {"action": "lift_removal", "_selected_action": [e.pk for e in evidence]},
        follow=True,
    )


def test_an_operator_who_may_change_evidence_lifts_a_removal_in_the_admin_audited_and_the_recheck_leaves_it(
    client, case
):
    """An operator who looked at a removed file (one pypdf cannot read, a link now refused) and found it harmless had
    no way to give it back to its case but clearing two columns in the database, unaudited; the next run would have
    removed it again."""
    unreadable = _stored(case, b"%PDF-1.7\n<html>not quite a PDF</html>", caption="courier report")
    kept_out = _stored(case, HOSTILE["xfa-form"][0], caption="invoice")
    _recheck()
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_caseevidence", "change_caseevidence"]))
    client.force_login(operator)

    listed = client.get("/admin/crm/caseevidence/", {"quarantined_at__isempty": "0"})
    assert 'value="lift_removal"' in listed.text
    assert f'value="{unreadable.pk}"' in listed.text and f'value="{kept_out.pk}"' in listed.text
    answer = _lift(client, unreadable)

    assert "1 file restored to its case." in html.unescape(answer.text)
    restored = CaseEvidence.objects.get(pk=unreadable.pk)
    assert (restored.quarantined_at, restored.quarantine_reason) == (None, "")
    assert CaseEvidence.objects.get(pk=kept_out.pk).quarantine_reason == "xfa"
    entry = AuditLog.objects.get(action="evidence_restored")
    assert (entry.actor, entry.store, entry.target) == (operator, case.store, f"case #{case.pk}")
    assert entry.data["evidence"] == unreadable.pk and entry.data["reason"] == "unreadable"
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{unreadable.pk}").status_code == 200
    assert f'href="/cases/evidence/{unreadable.pk}"' in client.get(f"/cases/{case.pk}/").text

    report = _recheck()  # the operator's decision about this file, for this reason, stands

    assert "checked 1 file: 0 removed, 1 already removed, 0 missing from storage" in report
    assert "1 kept: an operator lifted its removal for the same reason" in report
    assert CaseEvidence.objects.get(pk=unreadable.pk).quarantined_at is None
    assert AuditLog.objects.filter(action="evidence_quarantined").count() == 2

    with CaseEvidence.objects.get(pk=unreadable.pk).image.open("wb") as stored:  # a new reason is a new decision
        stored.write(HOSTILE["javascript-in-an-object-stream"][0])
    _recheck()
    assert CaseEvidence.objects.get(pk=unreadable.pk).quarantine_reason == "script"


def test_an_operator_who_may_only_view_evidence_cannot_lift_a_removal(client, case):
    removed = _stored(case, HOSTILE["xfa-form"][0])
    _recheck()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_caseevidence"))
    client.force_login(viewer)

    assert 'value="lift_removal"' not in client.get("/admin/crm/caseevidence/").text
    _lift(client, removed)

    assert CaseEvidence.objects.get(pk=removed.pk).quarantine_reason == "xfa"
    assert not AuditLog.objects.filter(action="evidence_restored").exists()


def _pages(count: int, change=None) -> bytes:
    """A real PDF of `count` blank pages (two objects a page: the page and its content), after `change(writer)`."""

    def build(writer):
        for _ in range(count - 1):
            writer.add_blank_page(width=200, height=200)
        if change is not None:
            change(writer)

    return pdf_bytes(build)


def test_a_stored_pdf_over_the_uploads_object_limit_is_read_in_full_and_stays_on_its_case_when_clean(client, case):
    """A real delivery note scanned years ago, of more objects than an upload may have (the limit keeps a web process
    from parsing half a million objects an uploader chose), was removed as "cannot be checked": the agent lost it. The
    recheck is a command, one file at a time: it reads such a file in full, up to a bound of its own."""
    clean, scripted = _pages(21_000), _pages(21_000, lambda w: w.add_open_action(JavaScript("app.alert(1)")))
    assert upload_refusal(io.BytesIO(clean)) == "too_many"  # refused at upload: more than MAX_PDF_OBJECTS
    note = _stored(case, clean, caption="delivery note")
    scripted = _stored(case, scripted, caption="scripted")

    report = _recheck()

    assert "checked 2 files: 1 removed, 0 already removed, 0 missing from storage" in report
    assert CaseEvidence.objects.get(pk=note.pk).quarantined_at is None
    assert CaseEvidence.objects.get(pk=scripted.pk).quarantine_reason == "script"  # read to its end, and found
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{note.pk}").status_code == 200


def test_a_stored_pdf_too_large_even_for_the_recheck_is_held_for_an_operators_review_not_removed_as_unreadable(
    client, case, monkeypatch
):
    """Past the recheck's own bound nothing was read of it: it is neither passed nor refused. It stays listed on its
    case, held (not served, as nothing in it was checked) with a reason of its own, until an operator looks at it."""
    monkeypatch.setattr("crm.evidence_removal.RECHECK_MAX_PDF_OBJECTS", 10)
    held = _stored(case, _pages(20), caption="delivery note")

    report = _recheck()

    assert f"evidence #{held.pk} (case #{case.pk}): held for an operator's review (too many objects to check)" in report
    assert "checked 1 file: 0 removed, 0 already removed, 0 missing from storage" in report
    assert "1 held for an operator's review: too many objects to check" in report
    evidence = CaseEvidence.objects.get(pk=held.pk)
    assert evidence.quarantine_reason == "held_for_review"
    entry = AuditLog.objects.get(action="evidence_held_for_review")
    assert (entry.store, entry.target, entry.data["evidence"]) == (case.store, f"case #{case.pk}", held.pk)
    client.force_login(case.assignee.user)
    assert client.get(f"/cases/evidence/{held.pk}").status_code == 410
    page = _page_text(client, case, "en")
    assert (
        "Photo: delivery note — Held for an operator's review: too large to check here. Photo: the PDF is made of "
        "more than 10 objects, too many for the recheck to read; it is kept, and an operator gives it back to the "
        "case once they have looked at it."
    ) in page
    assert "照片：delivery note — 待运营人员复核：文件过大，无法在此检查。" in _page_text(client, case, "zh-hans")

    _lift(_operator(client), held)  # looked at, found harmless: given back; the next run leaves it
    report = _recheck()

    assert "1 kept: an operator lifted its removal for the same reason" in report
    assert CaseEvidence.objects.get(pk=held.pk).quarantined_at is None


def test_the_gone_page_of_a_held_file_says_it_is_held_for_review_not_removed(client, case, monkeypatch):
    """Its heading said "This file has been removed from the case" and that the upload check refuses it: nothing of it
    was read, and an operator gives it back once they have looked at it."""
    monkeypatch.setattr("crm.evidence_removal.RECHECK_MAX_PDF_OBJECTS", 10)
    held = _stored(case, _pages(20), caption="delivery note")
    _recheck()
    client.force_login(case.assignee.user)

    pages = {
        language: client.get(f"/cases/evidence/{held.pk}", headers={"accept-language": language})
        for language in ("en", "zh-hans")
    }

    assert {response.status_code for response in pages.values()} == {410}
    english, chinese = (html.unescape(re.sub(r"<[^>]+>", "", r.content.decode())) for r in pages.values())
    assert "This file is held for an operator's review" in english
    assert "until an operator has looked at it" in english
    assert "removed" not in english.lower()
    assert "the upload check refuses it" not in english.lower()
    assert "该文件正等待运营人员复核" in chinese
    assert "移除" not in chinese
    assert 'data-code="evidence_held"' in pages["en"].content.decode()


def _operator(client):
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_caseevidence", "change_caseevidence"]))
    client.force_login(operator)
    return client
