"""The PDF of a batch cut into chunks (laid out by worker processes) has the pages of the one-piece PDF."""

import io
from datetime import UTC, datetime

import pytest
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from letters.printing import letters_pdf
from letters.selectors import batch_letters
from letters.services import letters_prepare
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_chunked_pdf_has_the_same_pages_as_the_one_piece_pdf():
    store = StoreFactory()
    for index in range(5):
        OrderFactory(store=store, customer=CustomerFactory(store=store, name=f"李{index}"), external_id=f"K-{index}")
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))

    whole = letters_pdf(store=store, letters=letters, chunk=100)
    chunked = letters_pdf(store=store, letters=letters, chunk=2)

    assert len(PdfReader(io.BytesIO(chunked)).pages) == len(PdfReader(io.BytesIO(whole)).pages) == 5
    for page in range(5):
        text = extract_text(io.BytesIO(chunked), page_numbers=[page])
        assert text == extract_text(io.BytesIO(whole), page_numbers=[page])
        assert f"K-{page}" in text and f"李{page}" in text


@pytest.mark.parametrize("cue_cards", [False, True])
@pytest.mark.parametrize("name", ["王芳🌸", "王芳\U000f0000"])  # an emoji; a private-use character no font has
def test_a_character_no_font_can_draw_is_left_out_and_the_page_reads_back(name, cue_cards):
    """A customer named "王芳🌸" on a machine without an emoji font got a box for the flower in the letter, and the
    whole page's text read back as garbage: to draw the box, WeasyPrint re-encodes the Chinese font."""
    store = StoreFactory(manager_hotline="+86 400 820 8820")
    OrderFactory(store=store, customer=CustomerFactory(store=store, name=name), external_id="E-1")
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))

    text = extract_text(io.BytesIO(letters_pdf(store=store, letters=letters, cue_cards=cue_cards)))

    assert "E-1" in text and "王芳" in text and "+86 400 820 8820" in text
    assert "\U000f0000" not in text


@pytest.mark.parametrize("cue_cards", [False, True])
def test_a_name_and_order_number_as_long_as_stored_wrap_inside_the_page(cue_cards):
    """A 200-character name without a space ran on in one line past the paper's edge, and on a cue card the letter
    after it was cut off: only what fits on the page reaches the printer."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    store = StoreFactory(manager_hotline="+86 400 820 8820")
    name, number = "Maximilian" * 20, "TM" + "7" * 98  # as long as a customer's name and an order number can be
    OrderFactory(store=store, customer=CustomerFactory(store=store, name=name), external_id=number)
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))
    pdf = io.BytesIO(letters_pdf(store=store, letters=letters, cue_cards=cue_cards))

    pages = PdfReader(pdf).pages
    assert cue_cards or len(pages) == 1  # still one sheet per parcel
    width = float(pages[0].mediabox.width)
    lines = [line for page in extract_pages(pdf) for box in page if isinstance(box, LTTextContainer) for line in box]
    assert lines and all(line.x0 >= 0 and line.x1 <= width for line in lines), [
        (round(line.x0), round(line.x1), line.get_text()[:20]) for line in lines if line.x1 > width
    ]
    text = "".join(extract_text(pdf).split())
    assert name in text and number in text and "+864008208820" in text


def test_a_direction_override_in_a_name_does_not_turn_the_rest_of_the_sentence_around():
    """A name ending in U+202E (right-to-left override), as an order system passed it on, printed the rest of the
    sentence after it backwards: "Lily面如字见，"."""
    from letters.services import letter_template_save
    from tests.letters.test_templates import _data

    store = StoreFactory(manager_hotline="+86 400 820 8820")
    letter_template_save(store=store, actor=None, data=_data(openings="{customer}，见字如面。"))
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="Lily\u202e"), external_id="B-1")
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))

    assert "Lily，见字如面。" in extract_text(io.BytesIO(letters_pdf(store=store, letters=letters)))
    assert letters[0].text.startswith("Lily，见字如面。")


def test_a_letter_longer_than_a_page_goes_on_to_a_second_sheet_with_its_cards_after_it():
    """The letter's page had a fixed height: a long wording was cut off where the sheet ended, with the closing, the
    hotline, the sign-off and the cards (drawn over the text) lost from the print."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    from letters.models import ParcelInsert
    from letters.services import letter_template_save
    from tests.letters.test_templates import _data

    store = StoreFactory(manager_hotline="+86 400 820 8820")
    long_body = "感谢您购买{product}。" + "每一道工序都由老师傅亲手完成，" * 90 + "愿它陪您很久。"
    letter_template_save(store=store, actor=None, data=_data(bodies=long_body))
    ParcelInsert.objects.create(store=store, kind="care", title="真丝保养卡", body="请冷水手洗。")
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="王芳"), external_id="L-1")
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))
    pdf = io.BytesIO(letters_pdf(store=store, letters=letters))

    text = "".join(extract_text(pdf).split())
    assert "愿它陪您很久。" in text and "+864008208820" in text and "Store" in text and "真丝保养卡" in text
    last = list(extract_pages(pdf))[-1]  # the second sheet: the rest of the letter, then the cards
    lines = [line for box in last if isinstance(box, LTTextContainer) for line in box]
    card = next(line for line in lines if "真丝保养卡" in line.get_text())
    signoff = next(line for line in lines if "敬上" in line.get_text())
    assert signoff.y0 > card.y1  # the cards come after the letter, not over it


@pytest.mark.parametrize(
    ("name", "greeted"),
    [
        ("王\n芳", "王 芳"),  # a line break inside the name, as an order system passed it on
        ("Lily\r\nChen\u2028", "Lily Chen"),
        ("\u200b", "顾客"),  # a zero-width space: nothing to see
        ("\u3164", "顾客"),  # a Hangul filler, a letter that prints blank
        ("\u2800\u2800", "顾客"),  # braille blanks
        ("\u202e", "顾客"),  # a direction control alone
    ],
)
def test_a_name_with_a_line_break_or_nothing_to_see_still_greets_the_customer_in_one_line(name, greeted):
    """A name holding a line break split the greeting in two ("王" alone as the greeting, "芳，见字如面。" indented as
    the body), and a name with nothing visible in it (a zero-width space, a blank filler) printed "亲爱的：", greeting
    nobody; the name is now one line, and a name with nothing to show greets the customer as 顾客."""
    from letters.services import letter_template_save
    from tests.letters.test_templates import _data

    store = StoreFactory(manager_hotline="+86 400 820 8820")
    letter_template_save(store=store, actor=None, data=_data(openings="亲爱的{customer}："))
    OrderFactory(store=store, customer=CustomerFactory(store=store, name=name), external_id="W-1")
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))

    assert letters[0].paragraphs[0] == f"亲爱的{greeted}：" and len(letters[0].paragraphs) == 4
    lines = [line.strip() for line in extract_text(io.BytesIO(letters_pdf(store=store, letters=letters))).split("\n")]
    assert f"亲爱的{greeted}：" in lines


def test_an_english_letter_to_a_name_with_nothing_to_see_greets_a_valued_customer():
    from letters.models import LetterRule

    store = StoreFactory(manager_hotline="+44 20 7946 0000")
    LetterRule.objects.update_or_create(store=store, defaults={"language": "en"})
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="\u200b\u200b"), external_id="W-2")
    letters = batch_letters(batch=letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC)))

    assert "valued customer" in letters[0].paragraphs[0]
