"""Evidence files: uploads must be what they claim, and every download is served under a safe name and type."""

import html
import re
import uuid
from email.message import Message

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import CaseEvent, CaseEvidence
from tests.factories import AgentFactory, StoreFactory
from tests.images import JPEG, PNG, WEBP, claiming
from tests.pdfs import PDF
from tests.reviews.test_pages import _bad_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def store():
    return StoreFactory()


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


@pytest.mark.parametrize("external_id", ['R1"; filename="evil.html', "R1\r\nSet-Cookie: a=b", "R1\n", "评价1"])
def test_evidence_pack_downloads_under_a_safe_name_whatever_the_external_id(client, store, agent, external_id):
    review = _bad_review(store, external_id=external_id)
    client.force_login(agent.user)

    response = client.post(f"/reviews/{review.pk}/evidence-pack")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response
    header = Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    assert header.get_content_disposition() == "attachment"
    assert len(header.get_params(header="Content-Disposition")) == 2  # attachment and one file name
    name = header.get_filename()
    assert name.startswith(f"evidence-{store.code}-") and name.endswith(".zip")
    assert not set(name) & set('"\r\n/\\;'), name


def _case_page(client, store, agent) -> str:
    review = _bad_review(store)
    client.force_login(agent.user)
    return f"/cases/{review.case_id}/"


def _token() -> dict[str, str]:
    """The form's one-time token, as the case page renders a fresh one with the form (crm.forms.SubmitOnceForm)."""
    return {"submission": str(uuid.uuid4())}


HOSTILE = {
    "proof.html": b"<html><script>alert(document.cookie)</script></html>",
    "proof.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "proof.jpg": b"GIF89a<script>alert(1)</script>",  # a GIF/script polyglot named and declared as a JPEG
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_an_upload_that_is_not_what_it_claims_is_refused_with_the_field_and_reason(client, store, agent, name):
    page = _case_page(client, store, agent)
    upload = SimpleUploadedFile(name, HOSTILE[name], content_type="image/jpeg")

    response = client.post(f"{page}evidence", {**_token(), "photo": upload}, follow=True)

    assert not CaseEvidence.objects.exists()
    text = response.content.decode()
    assert "Photo: the file&#x27;s contents are not one of JPEG, PNG, WebP, HEIC, PDF" in text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bomb.png", claiming("PNG", 100_000, 100_000)),  # 79 bytes; 30 GB once a browser decodes it
        ("bomb.jpg", claiming("JPEG", 65_000, 65_000)),
        ("bomb.webp", claiming("WEBP", 16_383, 16_383)),
        ("large.png", claiming("PNG", 9_000, 9_000)),  # 81 megapixels: ours, below Pillow's own threshold
    ],
    ids=["png", "jpeg", "webp", "81-megapixels"],
)
def test_an_image_whose_header_claims_enormous_dimensions_is_refused(client, store, agent, name, content):
    """A decompression bomb: a few bytes that say 100,000 x 100,000 pixels passed the signature check, were stored
    and opened in the agent's browser tab (and the platform staff's, from the evidence pack) to be decoded whole."""
    page = _case_page(client, store, agent)
    upload = SimpleUploadedFile(name, content, content_type="image/png")

    response = client.post(f"{page}evidence", {**_token(), "photo": upload}, follow=True)

    assert not CaseEvidence.objects.exists()
    assert "Photo: the image is larger than 80 megapixels, the most that is accepted." in response.content.decode()


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff<html><script>alert(1)</script></html>",  # a JPEG's signature, then a page
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,  # a PNG's signature and nothing a decoder can read
        b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    ],
    ids=["jpeg-then-html", "png", "webp"],
)
def test_an_image_with_only_the_signature_of_its_format_is_refused(client, store, agent, content):
    page = _case_page(client, store, agent)
    upload = SimpleUploadedFile("proof.jpg", content, content_type="image/jpeg")

    response = client.post(f"{page}evidence", {**_token(), "photo": upload}, follow=True)

    assert not CaseEvidence.objects.exists()
    assert "Photo: the file&#x27;s contents are not one of JPEG, PNG, WebP, HEIC, PDF" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "inline"),
    [
        ("crack.png", PNG, "image/png", True),
        ("crack.jpg", JPEG, "image/jpeg", True),
        ("crack.webp", WEBP, "image/webp", True),
        ("receipt.pdf", PDF, "application/pdf", False),
    ],
)
def test_an_accepted_upload_is_stored_under_our_name_and_served_safely(
    client, store, agent, name, content, content_type, inline
):
    page = _case_page(client, store, agent)
    # Declared as something else and named with markup: only the bytes count, and the name is ours.
    upload = SimpleUploadedFile(f'"><img src=x>{name}', content, content_type="text/html")
    client.post(f"{page}evidence", {**_token(), "photo": upload})
    evidence = CaseEvidence.objects.get()
    stored = evidence.image.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|webp|pdf)", stored), stored

    response = client.get(f"/cases/evidence/{evidence.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;" if inline else "attachment;")
    assert b"".join(response.streaming_content) == content


def test_a_pdf_with_a_script_stored_before_pdfs_were_checked_is_only_ever_a_download(client, store, agent):
    """A PDF carrying JavaScript is refused at upload now (tests/crm/test_upload_pdfs.py); one stored before never
    opens in the browser's PDF viewer on our origin: it is sent as an attachment, with nosniff (until manage.py
    recheck_evidence removes it, tests/crm/test_evidence_recheck.py)."""
    page = _case_page(client, store, agent)
    client.post(f"{page}evidence", {**_token(), "photo": SimpleUploadedFile("receipt.pdf", PDF)})
    evidence = CaseEvidence.objects.get()
    with evidence.image.open("wb") as stored:  # as the upload of a PDF was stored before the check
        stored.write(b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF")

    response = client.get(f"/cases/evidence/{evidence.pk}")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_stores_photo_is_not_found_by_its_id_nor_by_its_path_in_storage(client, store, agent):
    other = StoreFactory()
    client.post(
        _case_page(client, other, AgentFactory(stores=[other])) + "evidence",
        {**_token(), "photo": SimpleUploadedFile("crack.png", PNG)},
    )
    theirs = CaseEvidence.objects.get()
    client.force_login(agent.user)

    for guess in (
        f"/cases/evidence/{theirs.pk}",
        f"/cases/evidence/{theirs.pk + 1}",
        f"/media/{theirs.image.name}",
        f"/{theirs.image.name}",
        f"/static/../media/{theirs.image.name}",
    ):
        assert client.get(guess).status_code == 404, guess


def test_a_file_stored_before_the_check_is_served_as_a_download_never_as_a_page(client, store, agent):
    page = _case_page(client, store, agent)
    client.post(f"{page}evidence", {**_token(), "photo": SimpleUploadedFile("a.png", PNG, content_type="image/png")})
    evidence = CaseEvidence.objects.get()
    with evidence.image.open("wb") as stored:  # as an unchecked upload left it
        stored.write(HOSTILE["proof.html"])

    response = client.get(f"/cases/evidence/{evidence.pk}")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_request_larger_than_any_upload_is_refused_before_its_body_is_read(
    client, store, agent, settings, monkeypatch
):
    """Django caps a form's fields in memory but not its files: without the page limit an upload of any size was
    streamed to a temporary file in full before the form refused it."""
    from django.http.multipartparser import MultiPartParser

    page = _case_page(client, store, agent)
    settings.PAGE_MAX_BODY_BYTES = 4096
    parsed = []
    original = MultiPartParser.parse
    monkeypatch.setattr(MultiPartParser, "parse", lambda self: (parsed.append(1), original(self))[1])
    upload = SimpleUploadedFile("crack.png", PNG + b"\x00" * 8192, content_type="image/png")

    response = client.post(f"{page}evidence", {**_token(), "photo": upload})

    assert response.status_code == 413
    assert "The request is too large: at most 4.0\xa0KB can be sent at once." in response.content.decode()
    assert not parsed and not CaseEvidence.objects.exists()
    small = SimpleUploadedFile("crack.png", PNG, content_type="image/png")
    client.post(f"{page}evidence", {**_token(), "photo": small})
    assert parsed and CaseEvidence.objects.count() == 1


def test_the_page_limit_answers_a_signed_out_visitor_too(client, settings):
    settings.PAGE_MAX_BODY_BYTES = 1024
    response = client.post("/accounts/login/", {"username": "x" * 4096, "password": "y"})
    assert response.status_code == 413


def test_a_photo_just_over_the_limit_is_refused_with_the_limit(client, store, agent):
    from crm.services.casework import PHOTO_MAX_BYTES

    page = _case_page(client, store, agent)
    upload = SimpleUploadedFile("crack.png", PNG + b"\x00" * (PHOTO_MAX_BYTES - len(PNG) + 1))
    response = client.post(f"{page}evidence", {**_token(), "photo": upload}, follow=True)
    assert "Photo: the file is larger than 10.0\xa0MB, the most that is accepted." in response.content.decode()
    assert not CaseEvidence.objects.exists()


@pytest.mark.parametrize(
    ("upload", "caption", "says"),
    [
        (("crack.png", PNG), "x" * 201, "Caption: Ensure this value has at most 200 characters (it has 201)."),
        (("crack.png", PNG), "crack\x00", "Caption: Null characters are not allowed."),
        (("crack.png", b""), "", "Photo: The submitted file is empty."),
        (None, "crack", "Photo: Attach a photo (JPEG, PNG, WebP, or an iPhone's HEIC) or a PDF, at most 10 MB."),
    ],
)
def test_evidence_the_form_refuses_is_named_by_its_field_and_reason(client, store, agent, upload, caption, says):
    """Every refusal of the form read "Attach a photo ... at most 10 MB.", also for a good photo with a caption one
    character too long, so the agent looked for what was wrong with the photo."""
    page = _case_page(client, store, agent)
    data = {**_token(), "caption": caption} | (
        {"photo": SimpleUploadedFile(*upload, content_type="image/png")} if upload else {}
    )

    response = client.post(f"{page}evidence", data, follow=True)

    assert html.unescape(response.content.decode()).count(says) == 1, says
    assert not CaseEvidence.objects.exists()


def test_the_same_upload_form_sent_twice_stores_one_photo(client, store, agent):
    # A double click on "Upload photo" (or a browser resending the slow upload) sends the form twice.
    page = _case_page(client, store, agent)
    token = re.search(r'name="submission" value="([^"]+)"', client.get(page).text)[1]

    for _ in range(2):
        photo = SimpleUploadedFile("crack.png", PNG, content_type="image/png")
        client.post(f"{page}evidence", {"photo": photo, "caption": "裂纹", "submission": token})

    assert CaseEvidence.objects.count() == 1
    assert CaseEvent.objects.filter(kind="evidence").count() == 1


def test_the_evidence_pack_streams_its_photos_instead_of_holding_the_whole_zip_in_memory(client, store, agent):
    """A case with many 10 MB photos was zipped in memory and copied once more to answer it: a few packs at once used
    gigabytes of the web process. The pack is written to a temporary file, each photo copied in pieces, and sent from
    that file; only a piece of it is ever in memory."""
    import io
    import os
    import tracemalloc
    import zipfile

    from django.core.files.base import ContentFile
    from django.utils import timezone

    review = _bad_review(store)
    client.force_login(agent.user)
    b"".join(client.post(f"/reviews/{review.pk}/evidence-pack").streaming_content)  # modules loaded, caches filled
    photos = {}
    for _ in range(6):  # 12 MB of photos that do not compress
        content = PNG + os.urandom(2 * 1024 * 1024)
        evidence = CaseEvidence(case_id=review.case_id, added_by=agent.user, added_at=timezone.now())
        evidence.image.save(f"{uuid.uuid4().hex}.png", ContentFile(content), save=True)
        photos[evidence.pk] = content

    tracemalloc.start()
    try:
        response = client.post(f"/reviews/{review.pk}/evidence-pack")
        pieces = []
        for piece in response.streaming_content:
            pieces.append(len(piece))
            with open(os.devnull, "wb") as sink:
                sink.write(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 2 * 1024 * 1024, f"{peak / 2**20:.1f} MiB at the peak"
    assert sum(pieces) > 12 * 1024 * 1024 and max(pieces) < 1024 * 1024
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(client.post(f"/reviews/{review.pk}/evidence-pack").streaming_content))
    )
    stored = {
        int(name.split("/")[1].split("-")[0]): archive.read(name) for name in archive.namelist() if "photos/" in name
    }
    assert stored == photos
    assert {"evidence.json", "summary.txt"} <= set(archive.namelist())


def test_a_review_text_cannot_write_lines_of_its_own_into_the_evidence_summary(client, store, agent):
    """summary.txt is read by the platform's staff as the store's account of the case. A review whose text carried line
    breaks ("差评\\r\\n订单 Order: 未找到匹配订单 ...") wrote lines indistinguishable from the summary's own; every line
    of a value after its first is now indented under its label."""
    import io
    import zipfile

    forged = "质量差\r\n订单 Order: 未找到匹配订单 no matching order\n联系记录 Contacts:\r  -"
    review = _bad_review(store, text=forged, buyer="买家\n疑点 Why suspected: -")
    client.force_login(agent.user)

    response = client.post(f"/reviews/{review.pk}/evidence-pack")
    summary = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("summary.txt").decode()

    lines = summary.split("\n")
    assert "\r" not in summary
    assert [line for line in lines if line.startswith("订单 Order:")] == [f"订单 Order: {review.order.external_id}"]
    assert [line for line in lines if line.startswith("联系记录 Contacts:")] == ["联系记录 Contacts:"]
    assert sum(line.startswith("疑点 Why suspected:") for line in lines) == 1
    assert "内容 Text: 质量差" in lines and "    订单 Order: 未找到匹配订单 no matching order" in lines


def test_a_photo_whose_file_is_gone_is_not_found_and_the_pack_says_it_is_missing(client, store, agent):
    """A photo row whose file is no longer in storage (a restore without the media folder, a disk cleaned by hand)
    answered a 500 for the photo, and for the whole evidence pack, which then could not be downloaded at all."""
    import io
    import zipfile

    page = _case_page(client, store, agent)
    for name in ("a.png", "b.png"):
        photo = SimpleUploadedFile(name, PNG, content_type="image/png")
        client.post(f"{page}evidence", {**_token(), "photo": photo})
    gone, kept = CaseEvidence.objects.order_by("pk")
    gone.image.storage.delete(gone.image.name)
    review = CaseEvent.objects.get(pk=CaseEvent.objects.filter(case=gone.case).first().pk).case.reviews.get()

    assert client.get(f"/cases/evidence/{gone.pk}").status_code == 404
    response = client.post(f"/reviews/{review.pk}/evidence-pack")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    photos = [name for name in archive.namelist() if name.startswith("photos/")]
    assert photos == [f"photos/{kept.pk}-{kept.image.name.rsplit('/', 1)[-1]}"]
    assert f"photos/{gone.pk}-" in archive.read("summary.txt").decode()


@pytest.mark.parametrize(
    ("name", "caption", "shown"),
    [
        # Shown "receiptexe.jpg": the override turns the rest around, the time after it on the page too.
        ("receipt\u202egpj.exe", "", "receiptgpj.exe"),
        ("crack.png", "裂纹\u2067看这里\u202d", "裂纹看这里"),  # an isolate and an override, typed or pasted
        ("crack.png", "第一行\r\n第二行", "第一行 第二行"),  # a line of its own in the timeline
    ],
    ids=["file-name-with-an-override", "typed-controls", "line-break"],
)
def test_a_caption_cannot_turn_around_or_break_the_text_shown_after_it(client, store, agent, name, caption, shown):
    """A photo's caption is its file name when none is typed: a customer's file "receipt<U+202E>gpj.exe", saved and
    uploaded by the agent, was listed as "receiptexe.jpg", and the override reversed the time shown after it."""
    page = _case_page(client, store, agent)
    upload = SimpleUploadedFile(name, PNG, content_type="image/png")

    client.post(f"{page}evidence", {**_token(), "photo": upload, "caption": caption})

    evidence = CaseEvidence.objects.get()
    assert evidence.caption == shown
    assert CaseEvent.objects.get(kind="evidence").message == shown
    assert f"Photo: {html.escape(shown)}</a>" in client.get(page).content.decode()


def test_a_stored_pdf_removed_by_the_recheck_is_left_out_of_the_evidence_pack_and_named_in_its_summary(
    client, store, agent
):
    """The pack goes to the platform's staff, who open its PDFs in a reader: one the upload check refuses today
    (stored before it did, then removed by manage.py recheck_evidence) must not travel with it."""
    import io
    import zipfile

    from django.core.management import call_command

    from tests.crm.test_upload_pdfs import HOSTILE

    page = _case_page(client, store, agent)
    for name in ("receipt.pdf", "crack.png"):
        client.post(f"{page}evidence", {**_token(), "photo": SimpleUploadedFile(name, PDF if "pdf" in name else PNG)})
    hostile, kept = CaseEvidence.objects.order_by("pk")
    with hostile.image.open("wb") as stored:  # as it was stored before the check refused a remote go-to
        stored.write(HOSTILE["remote-go-to-link"][0])
    call_command("recheck_evidence", stdout=io.StringIO())
    review = hostile.case.reviews.get()

    response = client.post(f"/reviews/{review.pk}/evidence-pack")

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    photos = [name for name in archive.namelist() if name.startswith("photos/")]
    assert photos == [f"photos/{kept.pk}-{kept.image.name.rsplit('/', 1)[-1]}"]
    summary = archive.read("summary.txt").decode()
    assert "已移除的文件 Files removed (refused by the upload check):" in summary
    name = f"photos/{hostile.pk}-{hostile.image.name.rsplit('/', 1)[-1]}"
    # In words, in the language of whoever made the pack: the platform's staff read no code.
    assert f"{name}: the PDF has a link that opens another PDF, stored elsewhere or embedded in a file" in summary
    assert "other_pdf" not in summary

    client.cookies["django_language"] = "zh-hans"
    chinese = zipfile.ZipFile(
        io.BytesIO(b"".join(client.post(f"/reviews/{review.pk}/evidence-pack").streaming_content))
    )
    assert f"{name}：该 PDF 含有打开另一个 PDF 的链接" in chinese.read("summary.txt").decode()


def test_a_removed_files_download_is_the_gone_page_in_the_readers_language(client, store, agent):
    """It was a line of plain English text, whatever the reader's language, with no way back to the case."""
    import io

    from django.core.management import call_command

    page = _case_page(client, store, agent)
    client.post(f"{page}evidence", {**_token(), "photo": SimpleUploadedFile("crack.png", PNG)})
    evidence = CaseEvidence.objects.get()
    with evidence.image.open("wb") as stored:  # a bomb stored before images were limited to 80 megapixels
        stored.write(claiming("PNG", 100_000, 100_000))
    call_command("recheck_evidence", stdout=io.StringIO())

    client.cookies["django_language"] = "en"
    response = client.get(f"/cases/evidence/{evidence.pk}")

    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    text = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    assert "This file has been removed from the case" in text
    assert "Photo: the image is larger than 80 megapixels, the most that is accepted." in text
    assert f'href="/cases/{evidence.case_id}/"' in response.content.decode()
    assert 'data-code="evidence_removed"' in response.content.decode()

    client.cookies["django_language"] = "zh-hans"
    chinese = html.unescape(client.get(f"/cases/evidence/{evidence.pk}").content.decode())
    assert "该文件已从工单中移除" in chinese
    assert "照片：图片超过了 80 百万像素" in chinese


def test_an_upload_form_sent_again_to_another_case_is_refused_saying_so_and_stores_nothing(client, store, agent):
    # The token rendered on case A's page, sent again to case B of the same store (a crafted post, or a form
    # copied between tabs), was answered with A's photo: B got nothing and the agent was told it was uploaded.
    page = _case_page(client, store, agent)
    other = f"/cases/{_bad_review(store, external_id='R2').case_id}/"
    token = re.search(r'name="submission" value="([^"]+)"', client.get(page).text)[1]
    photo = lambda: SimpleUploadedFile("crack.png", PNG, content_type="image/png")  # noqa: E731
    client.post(f"{page}evidence", {"photo": photo(), "caption": "裂纹", "submission": token})

    response = client.post(
        f"{other}evidence",
        {"photo": photo(), "caption": "裂纹", "submission": token},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "This form was already sent for another case" in html.unescape(response.content.decode())
    assert list(CaseEvidence.objects.values_list("case__pk", flat=True)) == [int(page.split("/")[2])]
    assert CaseEvent.objects.filter(kind="evidence").count() == 1
