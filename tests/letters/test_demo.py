"""`make run`'s demo: every demo store has a letter rule, cards and today's batch, which downloads as a PDF."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from letters.models import Letter, LetterTemplate, ParcelInsert, PrintBatch

pytestmark = pytest.mark.django_db


def test_demo_has_todays_letter_batch_ready_to_download(client):
    call_command("seed_demo")
    call_command("seed_demo_letters")
    call_command("seed_demo_letters")  # idempotent
    batches = PrintBatch.objects.filter(printed_at__isnull=True)
    assert batches.count() == 3
    assert LetterTemplate.objects.count() == 3 and ParcelInsert.objects.count() == 12
    # Through the login page, as a person would (the lockout backend needs the request Client.login lacks).
    login = client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"})
    assert login.status_code == 302
    silk = batches.get(store__code="silk-tmall")
    page = client.get("/letters/?store=silk-tmall")
    # Which orders get a letter depends on the store's id too (the control group is a hash of it and the order's
    # number), so the page is checked against the batch's own letters, not a fixed order number.
    letters = list(Letter.objects.filter(batch=silk, status=Letter.Status.LETTER).select_related("order"))
    assert page.status_code == 200 and letters
    assert all(letter.order.external_id in page.text for letter in letters)
    pdf = client.get(f"/letters/batches/{silk.pk}.pdf")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == len(letters)
    # The agent who packs the parcels finds it ready to print too (the letters page is theirs).
    client.post("/accounts/login/", {"username": "demo-agent", "password": "demo-agent-pass"})
    page = client.get("/letters/?store=silk-tmall", headers={"Accept-Language": "en"}).text
    assert f"Batch #{silk.pk}" in page and "not yet" in page
    assert f"/letters/batches/{silk.pk}.pdf" in page
