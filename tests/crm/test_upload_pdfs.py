"""A PDF uploaded as evidence is refused when it carries anything that acts on its own (crm.uploads): JavaScript, an
action run when it is opened or read, a program started, files embedded in it. Each PDF is a real one, written by
pypdf's writer, or laid out with its objects compressed in an object stream, where no byte of them can be read."""

import html
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import NameObject

from crm.errors import EvidenceInvalid
from crm.models import Case, CaseEvidence
from crm.services.cases import case_open
from crm.services.casework import evidence_add
from tests.factories import AgentFactory, OrderFactory, StoreFactory
from tests.pdfs import PDF, action, launch_link, pdf_bytes, pdf_with_object_stream

pytestmark = pytest.mark.django_db

SCRIPT = "Photo: the PDF contains JavaScript, which could run when it is opened; such a PDF is not accepted."
AUTOMATIC = (
    "Photo: the PDF carries an action that runs by itself when it is opened or read; such a PDF is not accepted."
)
LAUNCH = "Photo: the PDF can start a program or open another file; such a PDF is not accepted."
EMBEDDED = "Photo: the PDF carries files embedded in it; such a PDF is not accepted."
PASSWORD = "Photo: the PDF is protected by a password, so its contents cannot be checked."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case():
    store = StoreFactory()
    agent = AgentFactory(stores=[store])
    order = OrderFactory(store=store, customer__store=store)
    opened, _ = case_open(store=store, customer=order.customer, order=order, source=Case.Source.CALL, assignee=agent)
    return opened


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _encrypted(writer):
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")


HOSTILE = {
    "document-javascript": (pdf_bytes(lambda w: w.add_open_action(JavaScript("app.alert(1)"))), SCRIPT),
    "open-action-javascript": (
        pdf_bytes(
            lambda w: w.root_object.update({NameObject("/OpenAction"): action("/JavaScript", JS="app.alert(1)")})
        ),
        SCRIPT,
    ),
    "open-action-uri": (
        pdf_bytes(lambda w: w.root_object.update({NameObject("/OpenAction"): action("/URI", URI="https://x.test/")})),
        AUTOMATIC,
    ),
    "page-opened-action": (
        pdf_bytes(lambda w: w.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert(1)"))),
        SCRIPT,
    ),
    "page-opened-uri": (
        pdf_bytes(lambda w: w.pages[0].add_action(PageTrigger.OPEN, action("/URI", URI="https://x.test/"))),
        AUTOMATIC,
    ),
    "launch-link": (pdf_bytes(launch_link), LAUNCH),
    "attachment": (pdf_bytes(lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00")), EMBEDDED),
    "javascript-in-an-object-stream": (
        pdf_with_object_stream(b"/OpenAction<</S/JavaScript/J#53(app.alert(1))>>"),  # /JS, its S written as #53
        SCRIPT,
    ),
    "launch-in-an-object-stream": (pdf_with_object_stream(b"/OpenAction<</S/Launch/F(cmd.exe)>>"), LAUNCH),
    "password": (pdf_bytes(_encrypted), PASSWORD),
}


def _post(client, case, name: str, content: bytes):
    client.force_login(case.assignee.user)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"/cases/{case.pk}/evidence", {"submission": str(uuid.uuid4()), "photo": upload}, follow=True)


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_a_pdf_that_acts_on_its_own_is_refused_with_the_field_and_reason_and_nothing_is_stored(
    client, case, tmp_path, hostile
):
    """Such a PDF was stored and served as a download: the agent (or the platform's staff, from the evidence pack)
    opened it in a PDF reader, where it ran."""
    content, says = HOSTILE[hostile]

    response = _post(client, case, "receipt.pdf", content)

    assert says in html.unescape(response.content.decode())
    assert not CaseEvidence.objects.exists()
    assert _stored_files(tmp_path) == []


def test_the_refusal_is_a_400_naming_the_photo_field_in_chinese_too(case):
    content, _ = HOSTILE["javascript-in-an-object-stream"]
    with translation.override("zh-hans"), pytest.raises(EvidenceInvalid) as refused:
        evidence_add(case=case, actor=case.assignee.user, photo=SimpleUploadedFile("receipt.pdf", content))

    assert (refused.value.http_status, refused.value.field) == (400, "photo")
    assert refused.value.message.startswith("照片:该 PDF 含有 JavaScript")


@pytest.mark.parametrize(
    "content",
    [
        PDF,
        pdf_with_object_stream(),
        # Opening at a page is a destination, not an action.
        pdf_bytes(lambda w: setattr(w, "open_destination", w.pages[0])),
        # Text that names JavaScript in a string is not JavaScript.
        pdf_bytes(lambda w: w.add_metadata({"/Title": "/JavaScript /JS /Launch /AA /OpenAction"})),
        # A password only to print or edit it: it opens without one, and is read as a reader reads it.
        pdf_bytes(lambda w: w.encrypt(user_password="", owner_password="owner", algorithm="AES-128")),
    ],
    ids=["plain", "object-stream", "open-at-a-page", "words-in-a-string", "owner-password-only"],
)
def test_a_clean_pdf_is_stored_and_served_as_a_download(client, case, tmp_path, content):
    _post(client, case, "receipt.pdf", content)

    evidence = CaseEvidence.objects.get()
    assert _stored_files(tmp_path) == [Path(evidence.image.path)]
    response = client.get(f"/cases/evidence/{evidence.pk}")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == content


def test_a_pdf_no_reader_can_parse_is_refused_as_not_a_pdf(client, case, tmp_path):
    response = _post(client, case, "receipt.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>")

    assert "Photo: the file's contents are not one of JPEG, PNG, WebP, PDF" in html.unescape(response.text)
    assert _stored_files(tmp_path) == []


def test_a_pdf_of_more_objects_than_can_be_checked_is_refused(client, case, tmp_path, monkeypatch):
    """Each object is parsed: 10 MB of empty objects held the web process for a minute."""
    monkeypatch.setattr("crm.uploads.MAX_PDF_OBJECTS", 20)
    content = pdf_bytes(lambda w: [w.add_blank_page(width=200, height=200) for _ in range(20)])

    response = _post(client, case, "report.pdf", content)

    assert "Photo: the PDF is made of more than 20 objects, too many to check." in html.unescape(response.text)
    assert _stored_files(tmp_path) == []
