"""A store manager writes a letter template in a real browser, previews it for an order and downloads the batch."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from pdfminer.high_level import extract_text
from playwright.sync_api import expect
from pypdf import PdfReader

from letters.models import LetterTemplate, PrintBatch
from tests.e2e.conftest import login, screenshot
from tests.factories import CustomerFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MORNING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(MORNING, tick=True):
        yield


def test_manager_edits_a_template_previews_a_letter_and_downloads_the_batch(new_page, tmp_path):
    store = StoreFactory(name="丝韵旗舰店", manager_hotline="+86 400 820 8820")
    ManagerFactory(stores=[store], user__username="chen")
    fang = CustomerFactory(store=store, name="王芳", gender="female")
    OrderFactory(store=store, customer=fang, external_id="SR-1002")
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="周杰", gender="male"), external_id="SR-1001")

    page = new_page(locale="zh-CN")
    login(page, "chen")
    page.goto(f"/letters/templates/new/?store={store.code}")
    page.fill("#id_name", "女士")
    page.select_option("#id_gender", "female")
    page.fill("#id_openings", "亲爱的{customer}女士：")
    # A reward for a review is refused, with the reason, and nothing is saved.
    page.fill("#id_bodies", "感谢您购买{product}。五星好评返现10元！")
    page.click("[data-testid=save-template]")
    expect(page.get_by_role("alert").first).to_contain_text("五星好评返现10元")
    assert not LetterTemplate.objects.exists()

    page.fill("#id_bodies", "感谢您挑选{product}，愿它衬托您的好气色。")
    page.select_option("#id_order", label="SR-1002 · 王芳")
    page.click("[data-testid=preview]")
    preview = page.get_by_test_id("preview-letter")
    expect(preview).to_contain_text("亲爱的王芳女士：")
    expect(preview).to_contain_text("+86 400 820 8820")
    page.click("[data-testid=save-template]")
    expect(page.locator(".messages")).to_contain_text("感谢信模板已保存")
    assert LetterTemplate.objects.get().gender == "female"
    screenshot(page, "letters-template")

    page.goto(f"/letters/?store={store.code}")
    page.click("[data-testid=prepare-batch]")
    expect(page.get_by_test_id("batch-letters")).to_contain_text("王芳")
    screenshot(page, "letters-batch")
    # WeasyPrint lays the PDF out while the click waits: well over the 10 s default on a busy 2-core machine.
    with page.expect_download(timeout=30_000) as download:
        page.click("[data-testid=download-batch]", timeout=30_000)
    path = tmp_path / "batch.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    first, second = (extract_text(io.BytesIO(pdf), page_numbers=[n]) for n in (0, 1))
    assert "SR-1001" in first and "周杰" in first  # packing order: by order number
    assert "SR-1002" in second and "亲爱的王芳女士" in second and "+86 400 820 8820" in second

    page.click("[data-testid=mark-printed]")
    expect(page.locator(".messages")).to_contain_text("该批次已标记为已打印")
    assert PrintBatch.objects.get().printed_at is not None
