"""An iPhone's photo is a HEIC: recognised by its bytes (the ISO-BMFF ftyp box and its brands), its size read from its
header before anything is decoded, then decoded (its primary image only), turned upright and stored as a JPEG with
its EXIF (the time and place it was taken) less the orientation it no longer needs. One that cannot be decoded is
refused with its own reason, naming the field, and leaves nothing behind.

Every HEIC here is written by pillow-heif's encoder as the test runs (tests/heic.py)."""

import html
import io
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image

from crm.models import CaseEvent, CaseEvidence
from crm.uploads import HEIC_UNREADABLE, UploadRefused, upload_accept, upload_refusal_text
from tests.heic import camera_exif, claiming_heic, heic_bytes, without_what_follows_ftyp
from tests.reviews.test_pages import _bad_review

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(store):
    return _bad_review(store).case


def _stored(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _post(client, agent, case, content: bytes, *, name="IMG_0412.HEIC", content_type="image/heic"):
    client.force_login(agent.user)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"/cases/{case.pk}/evidence", {"submission": str(uuid.uuid4()), "photo": upload})


def _half_red_half_blue(size=(64, 32)) -> Image.Image:
    """Red on the left, blue on the right: which way up it is stored shows in its pixels."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, *size))
    return image


def _near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _stored_jpeg(media: Path) -> Image.Image:
    [path] = _stored(media)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", path.name)
    content = path.read_bytes()
    assert content.startswith(b"\xff\xd8\xff")  # a JPEG by its bytes, not by its name
    image = Image.open(io.BytesIO(content), formats=["JPEG"])
    image.load()
    return image


def test_a_heic_photo_is_stored_once_as_a_jpeg_and_served_as_one(client, agent, case, media):
    content = heic_bytes(_half_red_half_blue())
    assert content[4:12] == b"ftypheic"

    response = _post(client, agent, case, content)

    assert response.status_code == 302
    evidence = CaseEvidence.objects.get()
    assert evidence.caption == "IMG_0412.HEIC"  # the agent still sees the name the customer's file had
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.EVIDENCE).count() == 1
    stored = _stored_jpeg(media)
    assert evidence.image.name.endswith(_stored(media)[0].name)
    assert stored.mode == "RGB" and stored.size == (64, 32)
    assert _near(stored.getpixel((8, 16)), RED) and _near(stored.getpixel((56, 16)), BLUE)
    served = client.get(f"/cases/evidence/{evidence.pk}")
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"].startswith("inline;")
    assert b"".join(served.streaming_content) == _stored(media)[0].read_bytes()


@pytest.mark.parametrize(
    ("orientation", "upright"),
    [
        (6, {"size": (32, 64), "top": RED, "bottom": BLUE}),  # held upright: the sensor's left is the photo's top
        (8, {"size": (32, 64), "top": BLUE, "bottom": RED}),
        (3, {"size": (64, 32), "left": BLUE, "right": RED}),  # upside down
    ],
)
def test_a_heic_taken_sideways_is_stored_upright_with_its_time_and_place(
    client, agent, case, media, orientation, upright
):
    """The phone records which way it was held (the EXIF orientation, and the HEIC's own rotation, irot/imir, that
    says the same): the JPEG is turned accordingly, and its EXIF keeps the rest (the time the photo was taken, where,
    the camera) without the orientation, so no viewer turns it a second time."""
    content = heic_bytes(_half_red_half_blue(), exif=camera_exif(orientation=orientation))

    _post(client, agent, case, content)

    stored = _stored_jpeg(media)
    width, height = upright["size"]
    assert stored.size == (width, height)
    if "top" in upright:
        assert _near(stored.getpixel((width // 2, 4)), upright["top"])
        assert _near(stored.getpixel((width // 2, height - 5)), upright["bottom"])
    else:
        assert _near(stored.getpixel((4, height // 2)), upright["left"])
        assert _near(stored.getpixel((width - 5, height // 2)), upright["right"])
    exif = stored.getexif()
    assert ExifTags.Base.Orientation not in exif
    assert exif[ExifTags.Base.Make] == "Apple"
    assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2026:03:14 18:25:07"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[ExifTags.GPS.GPSLatitudeRef] == "N" and tuple(gps[ExifTags.GPS.GPSLatitude]) == (31.0, 13.0, 30.0)
    assert CaseEvidence.objects.count() == 1


def test_a_heif_of_many_images_is_stored_as_its_primary_image_only(client, agent, case, media):
    """A burst or an edit keeps several images in one file; the one a viewer shows (the primary) is the photo."""
    images = [Image.new("RGB", (48, 48), (shade, 250 - shade, 60)) for shade in range(10, 250, 24)]
    content = heic_bytes(*images, primary=3)

    _post(client, agent, case, content)

    stored = _stored_jpeg(media)
    assert stored.size == (48, 48)
    assert _near(stored.getpixel((24, 24)), images[3].getpixel((0, 0)), tolerance=12)
    assert CaseEvidence.objects.count() == 1


HEIC_UNREADABLE_TEXT = (
    "Photo: the HEIC photo cannot be read (damaged or incomplete). Send the whole file again, or export it from the "
    "phone as JPEG."
)
TOO_MANY_PIXELS_TEXT = "Photo: the image is larger than 80 megapixels, the most that is accepted."
_WHOLE = heic_bytes(Image.effect_noise((128, 96), 60).convert("RGB"))

REFUSED = {
    "cut in half": (_WHOLE[: len(_WHOLE) // 2], HEIC_UNREADABLE_TEXT),
    "its last bytes missing": (_WHOLE[:-64], HEIC_UNREADABLE_TEXT),
    "garbage after its ftyp box": (without_what_follows_ftyp(_WHOLE), HEIC_UNREADABLE_TEXT),
    "only its ftyp box": (_WHOLE[:28], HEIC_UNREADABLE_TEXT),
    # Refused by its header: decoded, it would be refused as unreadable (libheif finds the image smaller than said).
    "claiming 20000x20000": (claiming_heic(20_000, 20_000), TOO_MANY_PIXELS_TEXT),
    "claiming 20000x20000 behind a small crop": (claiming_heic(20_000, 20_000, size=(64, 32)), TOO_MANY_PIXELS_TEXT),
}


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_a_heic_that_cannot_be_decoded_is_refused_naming_the_field_and_leaves_nothing_behind(
    client, agent, case, media, what
):
    content, says = REFUSED[what]

    response = _post(client, agent, case, content)

    assert response.status_code == 400
    assert html.unescape(response.content.decode()).count(says) == 1, says
    assert not CaseEvidence.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.EVIDENCE).exists()
    assert _stored(media) == []


@pytest.mark.parametrize(
    ("what", "ftyp"),
    [
        ("an mp4 video", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"),
        ("an avif (mif1 among its brands)", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"),
        ("a quicktime movie", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "),
    ],
)
def test_another_iso_media_file_is_not_taken_for_a_heic(client, agent, case, media, what, ftyp):
    response = _post(client, agent, case, ftyp + b"\x00" * 200, name="IMG_0412.HEIC")

    assert response.status_code == 400
    assert (
        "Photo: the file's contents are not one of JPEG, PNG, WebP, HEIC, PDF (whatever its name or stated type)."
        in html.unescape(response.content.decode())
    )
    assert not CaseEvidence.objects.exists() and _stored(media) == []


@pytest.mark.parametrize("major", [b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"])
def test_a_heic_is_recognised_by_its_brands_whatever_its_name_or_stated_type(major):
    """The brand an encoder writes first varies (a Samsung writes mif1, an iPhone heic); the name and the stated
    type are the sender's and are not read."""
    content = bytearray(heic_bytes(Image.new("RGB", (16, 16), RED)))
    content[8:12] = major
    upload = SimpleUploadedFile("photo.png", bytes(content), content_type="image/png")

    stored = upload_accept(upload, field="photo", max_bytes=10 * 1024 * 1024)

    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", stored.name) and stored.content_type == "image/jpeg"
    assert stored.read(3) == b"\xff\xd8\xff"


def test_the_refusal_of_a_heic_that_cannot_be_read_is_in_chinese_for_a_chinese_reader():
    with translation.override("zh-hans"):
        with pytest.raises(UploadRefused) as refused:
            upload_accept(
                SimpleUploadedFile("IMG_1.HEIC", _WHOLE[:-64]), field="photo", label="照片", max_bytes=1 << 20
            )
        text = upload_refusal_text(HEIC_UNREADABLE, field="照片")

    assert refused.value.message == text
    assert text.startswith("照片：无法读取该 HEIC 照片") and "JPEG" in text


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "JPEG, PNG, WebP or HEIC (an iPhone's photo, kept as a JPEG), or a PDF; at most 10 MB."),
        ("zh-hans", "JPEG、PNG、WebP 或 HEIC（iPhone 照片，保存为 JPEG），或 PDF；最大 10 MB。"),
    ],
)
def test_the_case_page_says_which_files_it_takes_and_its_picker_offers_a_heic(client, agent, case, language, says):
    client.force_login(agent.user)

    page = html.unescape(client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode())

    assert page.count(says) == 1
    [accept] = re.findall(r'<input type="file" name="photo" accept="([^"]+)"', page)
    assert {".heic", ".heif", "image/heic", "image/jpeg", ".pdf"} <= set(accept.split(","))
