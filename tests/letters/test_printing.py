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
