"""An evidence photo opened in its own tab, in a real browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.services.casework import evidence_add
from tests.e2e.conftest import login
from tests.factories import call_case
from tests.images import PNG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_evidence_photo_opened_in_its_tab_shows_within_the_policy(new_page, settings, tmp_path):
    """Chromium's viewer of an image opened in its own tab styles itself inline, which the site's policy refused (three
    violations in the console on every photo, found by crawling the demo). A file answers a policy of its own: nothing
    in it runs, the viewer may style itself; `new_page` fails the test on any violation."""
    settings.MEDIA_ROOT = tmp_path
    case = call_case()
    case.assignee.user.set_password("pass")
    case.assignee.user.save()
    evidence = evidence_add(
        case=case, actor=case.assignee.user, photo=SimpleUploadedFile("crack.png", PNG), caption="crack"
    )
    page = new_page()
    login(page, case.assignee.user.username)

    answer = page.goto(f"/cases/evidence/{evidence.pk}")

    assert answer.status == 200 and answer.headers["content-type"] == "image/png"
    assert "sandbox" in answer.headers["content-security-policy"]
    assert page.locator("img").count() == 1
