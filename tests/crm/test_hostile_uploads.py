"""A hostile-uploads probe of the one place a user uploads a file: a case's evidence (crm.forms.EvidenceForm,
crm.uploads, crm.views.cases). Each hostile file is posted as an agent or a manager of the case's store, and as one
of another store (a 404). A refused upload names the field and the reason and leaves nothing behind (no row, no file
in storage); an accepted one is what it claims and is served under its own type with nosniff.

The admin writes no file (CaseEvidence is shown, never written there: ADR 0030), the API takes JSON only, and no
app imports a CSV or a spreadsheet; the CSV exports are tested where they are written (tests/reports/test_pages.py,
tests/retention/test_pages.py)."""

import functools
import html
import io
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from crm.models import CaseEvent, CaseEvidence
from crm.services.casework import PHOTO_MAX_BYTES
from tests.factories import AgentFactory, ManagerFactory, StoreFactory
from tests.images import JPEG, claiming, image_bytes
from tests.reviews.test_pages import _bad_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(store):
    return _bad_review(store).case


def _stored(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _post(client, case, name: str, content: bytes, content_type: str = "image/jpeg", *, follow=True, **data):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        f"/cases/{case.pk}/evidence", {"submission": str(uuid.uuid4()), "photo": upload, **data}, follow=follow
    )


def _photo(size=(64, 48), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 120).save(buffer, **{"format": "JPEG", **save})
    return buffer.getvalue()


WRONG_TYPE = "Photo: the file's contents are not one of JPEG, PNG, WebP, HEIC, PDF (whatever its name or stated type)."
GIF = image_bytes("GIF")


def _animated_gif() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("P", (8, 8), colour) for colour in (1, 2, 3)]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], loop=0, duration=50)
    return buffer.getvalue()


# A HEIC's first box (ftyp, brand heic), as an iPhone writes it, and nothing of a HEIC after it: refused as a HEIC
# that cannot be read (tests/crm/test_upload_heic.py sends real ones).
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
HEIC_UNREADABLE = (
    "Photo: the HEIC photo cannot be read (damaged or incomplete). Send the whole file again, or export it from the "
    "phone as JPEG."
)

REFUSED = {
    "text named .jpg": ("note.jpg", b"just some words, not a photo\n", WRONG_TYPE),
    "html named .png": ("page.png", b"<!doctype html><script>alert(document.domain)</script>", WRONG_TYPE),
    "svg named .png": (
        "icon.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        WRONG_TYPE,
    ),
    "jpeg header then html": ("x.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script>", WRONG_TYPE),
    "decompression bomb 20000x20000 png": (
        "bomb.png",
        claiming("PNG", 20_000, 20_000),
        "Photo: the image is larger than 80 megapixels, the most that is accepted.",
    ),
    "gif": ("cat.gif", GIF, WRONG_TYPE),
    "animated gif named .jpg": ("cat.jpg", _animated_gif(), WRONG_TYPE),
    "heic header then nothing": ("IMG_0001.HEIC", HEIC, HEIC_UNREADABLE),
    "mp4 named .heic": (
        "IMG_0001.HEIC",
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64,
        WRONG_TYPE,
    ),
    "zero bytes": ("empty.jpg", b"", "Photo: The submitted file is empty."),
    "over the limit": (
        "big.jpg",
        JPEG + b"\x00" * (PHOTO_MAX_BYTES - len(JPEG) + 1),
        "Photo: the file is larger than 10.0\xa0MB, the most that is accepted.",
    ),
}


@pytest.mark.parametrize("role", ["agent", "manager"])
@pytest.mark.parametrize("hostile", sorted(REFUSED))
def test_a_hostile_upload_is_refused_naming_the_field_and_reason_and_leaves_nothing_behind(
    client, store, case, media, hostile, role
):
    user = (AgentFactory if role == "agent" else ManagerFactory)(stores=[store]).user
    client.force_login(user)
    name, content, says = REFUSED[hostile]

    response = _post(client, case, name, content, follow=False)

    # Answered with a 400 and the case page, not a redirect to it: the refusal is the answer's status too.
    assert response.status_code == 400
    assert html.unescape(response.content.decode()).count(says) == 1, says
    assert not CaseEvidence.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.EVIDENCE).exists()
    assert _stored(media) == []


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_an_upload_to_another_stores_case_is_not_found_and_stores_nothing(client, case, media, role):
    other = StoreFactory()
    client.force_login((AgentFactory if role == "agent" else ManagerFactory)(stores=[other]).user)

    response = _post(client, case, "crack.jpg", JPEG)

    assert response.status_code == 404
    assert not CaseEvidence.objects.exists() and _stored(media) == []


def _accepted(client, agent, case, name, content, content_type="image/jpeg") -> CaseEvidence:
    client.force_login(agent.user)
    _post(client, case, name, content, content_type)
    return CaseEvidence.objects.get()


def _served(client, evidence):
    response = client.get(f"/cases/evidence/{evidence.pk}")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("what", "content"),
    [
        ("cmyk jpeg", _photo(mode="CMYK")),
        ("progressive jpeg", _photo(progressive=True)),
        ("huge exif", _photo(exif=b"Exif\x00\x00" + b"II*\x00\x08\x00\x00\x00\x00\x00" + b"\x00" * 60_000)),
        # A whole photo with a page, or a zip, after its end: a photo to a decoder, never a page to the browser.
        ("jpeg then html", JPEG + b"<html><script>alert(document.domain)</script></html>"),
        ("jpeg then zip", JPEG + b"PK\x03\x04" + b"\x00" * 26 + b"PK\x05\x06" + b"\x00" * 18),
    ],
)
def test_an_accepted_jpeg_is_served_as_a_jpeg_inline_with_nosniff(client, agent, case, what, content):
    evidence = _accepted(client, agent, case, "IMG_1.jpg", content, content_type="text/html")

    response, body = _served(client, evidence)

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert body == content
    assert "sandbox" in response["Content-Security-Policy"]


@functools.cache
def _animation(kind: str, size: tuple[int, int], frames: int) -> bytes:
    """An animated WebP or PNG of `frames` frames, each one `size` (no two frames in a row alike: an encoder merges
    those into one)."""
    buffer = io.BytesIO()
    images = [Image.new("RGB", size, (10 + 230 * (index % 2), index % 256, 0)) for index in range(frames)]
    images[0].save(buffer, format=kind, save_all=True, append_images=images[1:], duration=40, loop=0)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["WEBP", "PNG"])
@pytest.mark.parametrize(("size", "frames"), [((8, 8), 3), ((200, 200), 2000)], ids=["3-frames", "80-megapixels"])
def test_an_animated_webp_or_png_is_accepted_as_what_it_is(client, agent, case, kind, size, frames):
    """Up to 80 megapixels over all its frames: 2,000 frames of 200 x 200 pixels."""
    evidence = _accepted(client, agent, case, f"anim.{kind.lower()}", _animation(kind, size, frames))

    response, _ = _served(client, evidence)

    assert response["Content-Type"] == f"image/{kind.lower()}"


@pytest.mark.parametrize("kind", ["WEBP", "PNG"])
@pytest.mark.parametrize(
    ("size", "frames"), [((200, 200), 2001), ((1000, 1000), 81)], ids=["2001-small-frames", "81-large-frames"]
)
def test_an_animation_whose_frames_add_up_to_more_than_the_limit_is_refused_and_leaves_nothing_behind(
    client, agent, case, media, kind, size, frames
):
    """Each frame within 80 megapixels passed the limit, which read one frame: thousands of them are as many pixels
    for the browser to decode, again and again as the animation plays. The frames are counted from the headers (a
    PNG's acTL chunk, a WebP's ANMF chunks), nothing decoded."""
    client.force_login(agent.user)

    response = _post(client, case, f"anim.{kind.lower()}", _animation(kind, size, frames), follow=False)

    assert response.status_code == 400
    says = (
        "Photo: the animation's frames add up to more than 80 megapixels, the most that is accepted: send a still "
        "photo."
    )
    assert html.unescape(response.content.decode()).count(says) == 1
    assert not CaseEvidence.objects.exists() and _stored(media) == []


@pytest.mark.parametrize(
    ("name", "caption"),
    [
        ("../../x.jpg", "x.jpg"),
        ("..\\..\\x.jpg", "x.jpg"),
        ("a\x00b.jpg", "ab.jpg"),  # Django drops the NUL as it parses the form
        ("\u202egpj.exe", "gpj.exe"),
        ("é" * 300 + ".jpg", None),
    ],
    ids=["dot-dot", "backslashes", "nul", "rtl-override", "300-characters"],
)
def test_a_name_with_a_path_or_controls_is_neither_where_nor_what_the_file_is_stored_as(
    client, agent, case, media, name, caption
):
    evidence = _accepted(client, agent, case, name, JPEG)

    [stored] = _stored(media)
    assert stored.is_relative_to(media / "evidence")
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", stored.name)
    if caption is not None:
        assert evidence.caption == caption
    assert len(evidence.caption) <= 200 and "\x00" not in evidence.caption and "\u202e" not in evidence.caption


def test_a_refused_upload_keeps_no_file_even_when_the_same_form_is_then_accepted(client, agent, case, media):
    client.force_login(agent.user)
    token = str(uuid.uuid4())
    for content in (b"<html>", JPEG):
        client.post(f"/cases/{case.pk}/evidence", {"submission": token, "photo": SimpleUploadedFile("a.jpg", content)})

    assert CaseEvidence.objects.count() == 1
    assert len(_stored(media)) == 1


def _noisy(format: str) -> bytes:
    """A photo-like image of `format` big enough to be cut in two (noise does not compress)."""
    buffer = io.BytesIO()
    Image.effect_noise((160, 120), 60).convert("RGB").save(buffer, format=format)
    return buffer.getvalue()


INCOMPLETE = "Photo: the image is incomplete or damaged: send the whole file again."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cut.jpg", _noisy("JPEG")[: len(_noisy("JPEG")) // 2]),
        ("cut.jpg", _noisy("JPEG")[:-2]),  # all but its end marker
        ("cut.png", _noisy("PNG")[: len(_noisy("PNG")) // 2]),
        ("cut.png", _noisy("PNG")[:-12]),  # all but its end chunk
    ],
    ids=["jpeg-half", "jpeg-without-its-end", "png-half", "png-without-its-end"],
)
def test_an_image_cut_short_is_refused_as_incomplete_and_leaves_nothing_behind(
    client, agent, case, media, name, content
):
    """A JPEG or PNG whose header is whole and whose body stops short (an upload cut off on the phone, a file half
    copied) was accepted: its header was all the check read. Shown grey from where it stops, and packed so for the
    platform's staff."""
    client.force_login(agent.user)

    response = _post(client, case, name, content)

    assert html.unescape(response.content.decode()).count(INCOMPLETE) == 1
    assert not CaseEvidence.objects.exists() and _stored(media) == []


def test_a_webp_cut_short_is_refused_as_no_webp(client, agent, case, media):
    client.force_login(agent.user)
    content = _noisy("WEBP")

    response = _post(client, case, "cut.webp", content[: len(content) // 2])

    assert html.unescape(response.content.decode()).count(WRONG_TYPE) == 1
    assert not CaseEvidence.objects.exists() and _stored(media) == []


def test_the_admin_takes_no_file_for_evidence(admin_client, case, media):
    """The admin shows evidence and never writes it (ADR 0030): no page there takes an upload."""
    upload = SimpleUploadedFile("page.png", b"<script>alert(1)</script>", content_type="image/png")
    evidence = CaseEvidence.objects.create(
        case=case, caption="by the service", url="https://img.example/1.jpg", added_at=case.opened_at
    )

    added = admin_client.post("/admin/crm/caseevidence/add/", {"case": case.pk, "image": upload})
    changed = admin_client.post(f"/admin/crm/caseevidence/{evidence.pk}/change/", {"caption": "x", "image": upload})

    assert added.status_code == 403
    assert CaseEvidence.objects.get().caption == "by the service" and not CaseEvidence.objects.get().image
    assert changed.status_code in (200, 403) and _stored(media) == []
