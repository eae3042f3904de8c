"""`make run`'s demo: every demo store has a letter rule, cards and today's batch, which downloads as a PDF."""

import io

import pytest
from django.core.management import call_command
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from letters.models import Letter, LetterTemplate, ParcelInsert, PrintBatch

pytestmark = pytest.mark.django_db


def test_demo_has_todays_letter_batch_ready_to_download(client):
    call_command("seed_demo")
    call_command("seed_demo_letters")
    call_command("seed_demo_letters")  # idempotent
    batches = PrintBatch.objects.filter(printed_at__isnull=True)
    assert batches.count() == 3
    # A template for women in each language the store's customers read: the tea store's in Chinese and English.
    assert LetterTemplate.objects.count() == 4 and ParcelInsert.objects.count() == 12
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


def test_the_tea_stores_batch_has_letters_in_chinese_and_in_english_each_in_its_customers_language(client):
    """The tea store in Berlin writes in Chinese; its customers with European names read English (crm.demo.tea)."""
    call_command("seed_demo")
    call_command("seed_demo_letters")
    tea = PrintBatch.objects.get(store__code="tea-own", printed_at__isnull=True)
    letters = list(Letter.objects.filter(batch=tea, status=Letter.Status.LETTER).select_related("customer"))
    assert {letter.language for letter in letters} == {"zh-hans", "en"}
    assert all(letter.language == (letter.customer.language or "zh-hans") for letter in letters)
    client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"})
    text = extract_text(io.BytesIO(client.get(f"/letters/batches/{tea.pk}.pdf").content))
    english = next(letter for letter in letters if letter.language == "en")
    chinese = next(letter for letter in letters if letter.language == "zh-hans")
    flat = " ".join(text.split())
    assert english.paragraphs[0] in flat and chinese.paragraphs[0] in flat
    page = client.get("/letters/?store=tea-own", headers={"Accept-Language": "en"}).text
    assert "English" in page and "Chinese" in page
