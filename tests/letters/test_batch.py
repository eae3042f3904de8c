"""The day's letters: who gets one, that they differ, and the printed PDF (read back with pdfminer)."""

import io
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from letters.models import Letter, LetterInsert, LetterRule, ParcelInsert, PrintBatch
from letters.printing import letters_pdf
from letters.selectors import batch_letters, letters_for_customer
from letters.services import batch_mark_printed, letters_prepare
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _order(store, number: str, amount: str = "1500.00", **kwargs):
    customer = kwargs.pop("customer", None) or CustomerFactory(store=store)
    return OrderFactory(store=store, customer=customer, external_id=number, total_amount=Decimal(amount), **kwargs)


def test_batch_pdf_has_one_page_per_eligible_order_in_packing_order_with_name_and_hotline():
    store = StoreFactory(manager_hotline="+86 400 820 8820")
    LetterRule.objects.create(store=store, min_amount=Decimal("1000"))
    numbers = ["A-10", "A-9", "A-100", "A-11"]
    orders = [_order(store, n, customer=CustomerFactory(store=store, name=f"王{n}")) for n in numbers]
    _order(store, "A-1", amount="200.00")  # below the threshold: no page
    _order(store, "A-2", shipped_at=NOW, status="shipped")  # already shipped: no page

    batch = letters_prepare(store=store, now=NOW)

    letters = batch_letters(batch=batch)
    pdf = letters_pdf(store=store, letters=letters)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == len(orders) == 4
    expected = ["A-9", "A-10", "A-11", "A-100"]
    for index, number in enumerate(expected):
        text = extract_text(io.BytesIO(pdf), page_numbers=[index])
        assert number in text
        assert f"王{number}" in text
        assert "+86 400 820 8820" in text


def test_an_order_number_with_a_digit_that_is_no_decimal_digit_is_packed_in_order():
    # The order API takes any text as an order's number; "²" passed str.isdigit() and failed int(), so one such
    # order made the store's whole letter run fail (a 500 on the page that starts it).
    store = StoreFactory()
    for number in ["A-10", "A-²", "A-9"]:
        _order(store, number)

    batch = letters_prepare(store=store, now=NOW)

    assert [letter.order.external_id for letter in batch_letters(batch=batch)] == ["A-9", "A-10", "A-²"]


def test_batch_pdf_embeds_its_fonts():
    store = StoreFactory()
    _order(store, "F-1")
    batch = letters_prepare(store=store, now=NOW)
    reader = PdfReader(io.BytesIO(letters_pdf(store=store, letters=batch_letters(batch=batch))))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/DescendantFonts") or [font])[0].get_object()["/FontDescriptor"].get_object()
            fonts.append((font["/BaseFont"], any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("CJK" in str(name) for name, _ in fonts)


def test_letters_of_one_day_are_all_different():
    store = StoreFactory()
    customer = CustomerFactory(store=store, name="王芳")  # one name, so only the wording can tell them apart
    for index in range(60):
        _order(store, f"D-{index}", customer=customer, items=[{"name": "真丝围巾", "quantity": 1}])
    letters_prepare(store=store, now=NOW)
    texts = list(Letter.objects.filter(store=store).values_list("text", flat=True))
    assert len(texts) == 60 == len(set(texts))


def test_same_order_gets_the_same_letter_again():
    first = StoreFactory(code="same-1")
    _order(first, "S-1")
    letters_prepare(store=first, now=NOW)
    text = Letter.objects.get(order__external_id="S-1").text
    Letter.objects.all().delete()
    letters_prepare(store=first, now=NOW)
    assert Letter.objects.get(order__external_id="S-1").text == text


def test_order_below_threshold_gets_no_letter():
    store = StoreFactory()
    LetterRule.objects.create(store=store, min_amount=Decimal("1000"))
    below = _order(store, "T-1", amount="999.99")
    at = _order(store, "T-2", amount="1000.00")
    letters_prepare(store=store, now=NOW)
    assert not Letter.objects.filter(order=below).exists()
    assert Letter.objects.get(order=at).status == Letter.Status.LETTER


def test_first_purchase_rule_skips_repeat_customers():
    store = StoreFactory()
    LetterRule.objects.create(store=store, min_amount=None, first_purchase_only=True)
    customer = CustomerFactory(store=store)
    _order(store, "P-1", customer=customer, placed_at=NOW - timedelta(days=40), status="delivered", delivered_at=NOW)
    repeat = _order(store, "P-2", customer=customer, placed_at=NOW - timedelta(hours=2))
    first = _order(store, "P-3", placed_at=NOW - timedelta(hours=2))
    letters_prepare(store=store, now=NOW)
    assert not Letter.objects.filter(order=repeat).exists()
    assert Letter.objects.filter(order=first).exists()


def test_control_group_is_held_back_the_same_way_every_time():
    store = StoreFactory()
    LetterRule.objects.create(store=store, min_amount=None, control_percent=50)
    for index in range(40):
        _order(store, f"C-{index}")
    letters_prepare(store=store, now=NOW)
    held = set(Letter.objects.filter(status="held_back").values_list("order__external_id", flat=True))
    assert 5 < len(held) < 35
    assert not Letter.objects.filter(status="held_back").exclude(text="").exists()
    Letter.objects.all().delete()
    letters_prepare(store=store, now=NOW)
    assert set(Letter.objects.filter(status="held_back").values_list("order__external_id", flat=True)) == held


def test_inserts_go_with_the_letters_their_conditions_match_and_the_archive_shows_them():
    store = StoreFactory()
    ParcelInsert.objects.create(store=store, kind="brand_story", title="品牌故事", body="始于1998年")
    ParcelInsert.objects.create(store=store, kind="care", title="真丝洗护", body="冷水手洗", category="silk")
    ParcelInsert.objects.create(store=store, kind="offer", title="下次购物", body="凭码立减", offer_code="THANKS20")
    silk = _order(store, "I-1", items=[{"name": "真丝围巾", "category": "silk", "quantity": 1}])
    jade = _order(store, "I-2", items=[{"name": "玉镯", "category": "jade", "quantity": 1}])
    batch = letters_prepare(store=store, now=NOW)
    titles = {
        order.external_id: set(LetterInsert.objects.filter(letter__order=order).values_list("title", flat=True))
        for order in (silk, jade)
    }
    assert titles == {"I-1": {"品牌故事", "真丝洗护", "下次购物"}, "I-2": {"品牌故事", "下次购物"}}
    text = extract_text(io.BytesIO(letters_pdf(store=store, letters=batch_letters(batch=batch))))
    assert "THANKS20" in text and "冷水手洗" in text
    archive = list(letters_for_customer(customer_id=silk.customer_id))
    assert [letter.order_id for letter in archive] == [silk.pk]
    assert {i.title for i in archive[0].inserts.all()} == {"品牌故事", "真丝洗护", "下次购物"}


def test_printed_batch_is_closed_and_later_orders_start_a_new_one():
    store = StoreFactory()
    _order(store, "B-1")
    first = letters_prepare(store=store, now=NOW)
    batch_mark_printed(batch=first, actor=None)
    _order(store, "B-2")
    second = letters_prepare(store=store, now=NOW + timedelta(hours=1))
    assert second.pk != first.pk
    assert [letter.order.external_id for letter in batch_letters(batch=second)] == ["B-2"]
    assert PrintBatch.objects.get(pk=first.pk).printed_at is not None
    # Preparing again adds nothing twice.
    assert letters_prepare(store=store, now=NOW + timedelta(hours=2)).pk == second.pk
    assert Letter.objects.filter(store=store).count() == 2


def test_handwriting_batch_prints_one_cue_card_per_letter():
    store = StoreFactory()
    LetterRule.objects.create(store=store, min_amount=None, handwriting=True)
    for index in range(3):
        _order(store, f"H-{index}", customer=CustomerFactory(store=store, name=f"陈{index}"))
    batch = letters_prepare(store=store, now=NOW)
    assert batch.handwriting
    letters = batch_letters(batch=batch)
    cards = letters_pdf(store=store, letters=letters, cue_cards=True)
    assert len(PdfReader(io.BytesIO(cards)).pages) == 3
    for index, letter in enumerate(letters):
        text = extract_text(io.BytesIO(cards), page_numbers=[index])
        assert f"H-{index}" in text and f"陈{index}" in text
        assert letter.paragraphs[1][:10] in text.replace("\n", "")


@pytest.mark.parametrize(
    ("language", "printer", "enclosed"),
    [("zh-hans", "en", "随信卡片：品牌故事、保养说明"), ("en", "zh-hans", "Cards to enclose: Our story, Care")],
)
def test_a_cue_card_parts_a_label_from_its_value_as_the_letters_language_writes_it(language, printer, enclosed):
    """A Chinese cue card read "随信卡片: 品牌故事, 保养说明" beside the catalogue's full-width "：" and "、"; an
    English letter's card keeps ": " and ", " whatever the language of whoever prints the batch."""
    from django.utils import translation

    from letters.printing import letters_html

    store = StoreFactory()
    LetterRule.objects.create(store=store, min_amount=None, handwriting=True, language=language)
    story, care = ("品牌故事", "保养说明") if language == "zh-hans" else ("Our story", "Care")
    ParcelInsert.objects.create(store=store, kind="brand_story", title=story, body="1998")
    ParcelInsert.objects.create(store=store, kind="care", title=care, body="…")
    _order(store, "H-1")
    letters = batch_letters(batch=letters_prepare(store=store, now=NOW))
    with translation.override(printer):
        assert enclosed in letters_html(store=store, letters=letters, cue_cards=True)


def test_segment_rule_writes_letters_only_to_the_segments_customers():
    from retention.services.segments import attributes_refresh, segment_create

    store = StoreFactory()
    regular = CustomerFactory(store=store)
    for index in range(2):  # two earlier orders: in the "two orders or more" segment
        _order(store, f"G-old-{index}", customer=regular, status="delivered", delivered_at=NOW, shipped_at=NOW)
    newcomer = CustomerFactory(store=store)
    attributes_refresh(store=store)
    segment = segment_create(
        store=store, name="regulars", rules=[{"attribute": "orders_count", "op": "gte", "value": 2}]
    )
    LetterRule.objects.create(store=store, min_amount=None, segment=str(segment.pk))
    in_segment = _order(store, "G-1", customer=regular)
    outside = _order(store, "G-2", customer=newcomer)
    letters_prepare(store=store, now=NOW)
    assert Letter.objects.filter(order=in_segment).exists()
    assert not Letter.objects.filter(order=outside).exists()


def test_the_customer_page_shows_the_letters_and_cards_sent(client):
    from tests.factories import AgentFactory

    store = StoreFactory()
    ParcelInsert.objects.create(store=store, kind="offer", title="下次购物", body="凭码立减", offer_code="THANKS20")
    order = _order(store, "C-1")
    letters_prepare(store=store, now=NOW)
    client.force_login(AgentFactory(stores=[store]).user)
    page = client.get(f"/customers/{order.customer_id}/").text
    assert 'data-testid="customer-letters"' in page and "C-1" in page and "THANKS20" in page
    other = _order(StoreFactory(), "C-2")
    assert client.get(f"/customers/{other.customer_id}/").status_code == 404


@pytest.mark.parametrize(
    ("language", "cards"),
    [
        ("zh-hans", ["品牌故事", "真丝洗护 · 保养说明", "下次购物 (THANKS20) · 下次购物优惠", "Contact card · 联系卡"]),
        (
            "en",
            [
                "品牌故事 · Brand story",
                "真丝洗护 · Care instructions",
                "下次购物 (THANKS20) · Offer for the next purchase",
                "Contact card",
            ],
        ),
    ],
)
def test_the_customer_page_names_each_card_once_and_its_kind_only_where_its_title_does_not_say_it(
    client, language, cards
):
    """A card titled as its kind read "品牌故事: 品牌故事". The agent reads what the customer found in the parcel (the
    card's title, its code), then the kind, in the agent's language, only where the title is something else."""
    import html
    import re

    from tests.factories import AgentFactory

    store = StoreFactory()
    ParcelInsert.objects.create(store=store, kind="brand_story", title="品牌故事", body="始于1998年")
    ParcelInsert.objects.create(store=store, kind="care", title="真丝洗护", body="冷水手洗")
    ParcelInsert.objects.create(store=store, kind="offer", title="下次购物", body="凭码立减", offer_code="THANKS20")
    ParcelInsert.objects.create(store=store, kind="contact", title="Contact card", body="9:00-21:00")
    order = _order(store, "C-1")
    letters_prepare(store=store, now=NOW)
    client.force_login(AgentFactory(stores=[store]).user)

    page = client.get(f"/customers/{order.customer_id}/", headers={"accept-language": language}).text

    section = re.search(r'data-testid="customer-letters"(.*?)</div>', page, re.S).group(1)
    shown = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", line)).split()) for line in section.split("<br>")[2:]]
    assert sorted(shown) == sorted(cards)


@pytest.mark.django_db(transaction=True)
def test_letters_prepared_while_the_batch_is_being_marked_printed_go_to_a_new_batch():
    # Two connections: "Mark printed" holds the batch, uncommitted, while a colleague prepares a new order's letter.
    # The letter went into the batch being closed (read before it was), printed by no one.
    store = StoreFactory()
    _order(store, "C-1")
    batch = letters_prepare(store=store, now=NOW)
    _order(store, "C-2")
    marking, release = threading.Event(), threading.Event()

    def mark():
        try:
            with transaction.atomic():
                batch_mark_printed(batch=batch, actor=None, upto=max(batch.letters.values_list("pk", flat=True)))
                marking.set()
                release.wait(10)
        finally:
            connection.close()

    marker = threading.Thread(target=mark)
    marker.start()
    marking.wait(10)
    threading.Timer(0.3, release.set).start()  # the prepare below waits on the batch until then
    letters_prepare(store=store, now=NOW)
    marker.join()

    later = Letter.objects.select_related("batch").get(order__external_id="C-2")
    assert later.batch_id != batch.pk and later.batch.printed_at is None
    assert [letter.order.external_id for letter in Letter.objects.filter(batch=batch)] == ["C-1"]
