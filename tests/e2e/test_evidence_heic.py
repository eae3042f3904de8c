"""An iPhone's photo (a HEIC) uploaded on the case page in a real browser, and shown: Chromium cannot decode a HEIC,
so the photo it shows is the JPEG the upload stored."""

import re

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import expect

from crm.models import CaseEvidence
from tests.e2e.conftest import login
from tests.factories import call_case
from tests.heic import camera_exif, heic_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_uploads_an_iphone_photo_on_the_case_page_and_sees_it_upright(new_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = call_case()
    case.assignee.user.set_password("pass")
    case.assignee.user.save()
    photo = Image.new("RGB", (96, 48), (220, 20, 20))
    photo.paste((20, 20, 220), (48, 0, 96, 48))  # red on the sensor's left, blue on its right
    content = heic_bytes(photo, exif=camera_exif(orientation=6))  # taken with the phone held upright
    page = new_page(locale="en-US")
    login(page, case.assignee.user.username)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_test_id("photo-help")).to_contain_text("HEIC")

    page.get_by_test_id("photo").set_input_files({"name": "IMG_0412.HEIC", "mimeType": "image/heic", "buffer": content})
    page.get_by_test_id("evidence").get_by_role("button", name="Upload photo").click()

    link = page.get_by_test_id("evidence").get_by_role("link", name=re.compile("IMG_0412.HEIC"))
    expect(link).to_be_visible()
    with page.expect_popup() as opened:
        link.click()
    tab = opened.value
    image = tab.locator("img")
    expect(image).to_have_count(1)
    tab.wait_for_function("document.images[0] && document.images[0].complete")
    # Decoded by the browser: upright (taller than wide, red at the top), which only a JPEG could have been.
    assert tab.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]") == [48, 96]
    top, bottom = tab.evaluate("""() => {
        const img = document.images[0], canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const pixel = (x, y) => Array.from(context.getImageData(x, y, 1, 1).data);
        return [pixel(24, 10), pixel(24, 86)];
    }""")
    assert top[0] > 150 and top[2] < 100, top  # red
    assert bottom[2] > 150 and bottom[0] < 100, bottom  # blue
    evidence = CaseEvidence.objects.get(case=case)
    assert evidence.image.name.endswith(".jpg")
    assert ExifTags.Base.Orientation not in Image.open(evidence.image.path).getexif()
