"""A customer's language changed after their letter was written: a letter not yet printed is written again in the new
one; a printed one (its batch marked printed, or the letter reprinted) stays as it went into the parcel (ADR 0052)."""

import io
import re
from datetime import UTC, datetime

import orjson
import pytest
from django.test import Client
from pdfminer.high_level import extract_text

from crm.models import Customer
from crm.services.api_tokens import api_token_create
from crm.services.customers import customer_update_profile
from letters.models import Letter, LetterInsert, LetterRule, ParcelInsert, PrintBatch
from letters.printing import letters_pdf
from letters.selectors import batch_letters
from letters.services import batch_mark_printed, letter_reprint, letters_follow_customer_language, letters_prepare
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def store():
    store = StoreFactory(code="silk-tmall", manager_hotline="+86 400 820 8820")
    LetterRule.objects.create(store=store, language="zh-hans")
    ParcelInsert.objects.create(store=store, kind="care", title="Care", body="Hand wash cold.")
    return store


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


def _letter_for(store, *, language: str = "", number: str = "C-1") -> Letter:
    customer = CustomerFactory(store=store, name="Anna Schmidt", external_id=f"buyer-{number}", language=language)
    items = [{"sku": "SILK-1", "name": "Silk scarf", "quantity": 1, "unit_price": "1500.00"}]
    order = OrderFactory(store=store, customer=customer, external_id=number, items=items)
    letters_prepare(store=store, now=NOW)
    return Letter.objects.get(order=order)


def _now(letter: Letter) -> Letter:
    return Letter.objects.select_related("batch").get(order_id=letter.order_id)


def test_a_letter_not_yet_printed_follows_the_customers_new_language_and_back(store, agent):
    first = _letter_for(store)
    assert first.language == "zh-hans" and CHINESE.search(first.text)

    customer_update_profile(customer=first.customer, actor=agent.user, changes={"language": "en"})

    english = _now(first)
    assert (english.language, english.customer_language) == ("en", "en") and not CHINESE.search(english.text)
    assert english.pk != first.pk  # a new letter: a page that listed the old one neither prints nor closes it
    assert (english.batch_id, english.day, english.created_at) == (first.batch_id, first.day, first.created_at)
    assert [insert.title for insert in english.inserts.all()] == ["Care"]
    assert LetterInsert.objects.count() == 1
    text = extract_text(io.BytesIO(letters_pdf(store=store, letters=batch_letters(batch=english.batch))))
    assert "Order C-1" in text and "customer service" in text and not CHINESE.search(text)

    customer_update_profile(customer=first.customer, actor=agent.user, changes={"language": ""})

    again = _now(first)
    assert (again.language, again.customer_language, again.text) == ("zh-hans", "", first.text)


def test_a_change_that_leaves_the_letters_language_records_it_and_rewrites_nothing(store, agent):
    letter = _letter_for(store)

    customer_update_profile(customer=letter.customer, actor=agent.user, changes={"language": "zh-hans"})

    same = _now(letter)
    assert (same.pk, same.text, same.language, same.customer_language) == (
        letter.pk, letter.text, "zh-hans", "zh-hans"
    )  # fmt: skip
    assert letters_follow_customer_language(letters=Letter.objects.all()) == 0  # nothing left to follow


def test_a_letter_whose_batch_is_marked_printed_stays_in_its_language(store, agent):
    letter = _letter_for(store)
    batch_mark_printed(batch=letter.batch, actor=agent.user)

    customer_update_profile(customer=letter.customer, actor=agent.user, changes={"language": "en"})

    kept = _now(letter)
    assert (kept.pk, kept.language, kept.customer_language, kept.text) == (letter.pk, "zh-hans", "", letter.text)
    # Preparing the day's letters again does not touch it either.
    letters_prepare(store=store, now=NOW)
    assert _now(letter).text == letter.text


def test_a_reprinted_letter_stays_in_its_language(store, agent):
    letter = _letter_for(store)
    letter_reprint(letter=letter, actor=agent.user)  # on paper, though its batch is not marked printed yet

    customer_update_profile(customer=letter.customer, actor=agent.user, changes={"language": "en"})

    assert (_now(letter).pk, _now(letter).language) == (letter.pk, "zh-hans")


def test_the_order_system_sending_a_new_language_rewrites_the_letter_once(store):
    letter = _letter_for(store, number="TB00000001")
    _token, key = api_token_create(store_codes=[store.code], name="Tmall connector")
    customer = {"external_id": "buyer-TB00000001", "name": "Anna Schmidt", "phone": "13800000001", "language": "en"}
    body = {
        "external_id": "TB00000002",  # another order of the same customer, not yet lettered
        "customer": customer,
        "total_amount": "99.00",
        "items": [{"sku": "SILK-2", "name": "Silk pouch", "quantity": 1, "unit_price": "99.00"}],
        "placed_at": "2026-11-24T09:00:00+08:00",
    }

    def post():
        answer = Client().post(
            "/api/v1/orders", orjson.dumps(body), content_type="application/json",
            headers={"Authorization": f"Token {key}"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.content

    post()
    english = _now(letter)
    assert (english.language, english.customer_language) == ("en", "en") and english.pk != letter.pk
    post()  # re-sent as it was: nothing changes
    assert _now(letter).pk == english.pk and _now(letter).text == english.text


def test_a_page_listed_before_the_rewrite_marks_printed_what_it_printed_and_the_new_letter_starts_a_batch(store, agent):
    letter = _letter_for(store)
    upto = letter.pk  # the batch page, with its PDF link and its "Mark printed", showed the Chinese letter

    customer_update_profile(customer=letter.customer, actor=agent.user, changes={"language": "en"})
    marked = batch_mark_printed(batch=letter.batch, actor=agent.user, upto=upto)

    english = _now(letter)
    assert marked.moved == 1 and english.batch_id != letter.batch_id and english.batch.printed_at is None
    assert PrintBatch.objects.get(pk=letter.batch_id).printed_at is not None


def test_preparing_the_days_letters_brings_a_letter_up_to_date_with_a_language_changed_elsewhere(store):
    letter = _letter_for(store)
    Customer.objects.filter(pk=letter.customer_id).update(language="en")  # not through a service: no signal

    letters_prepare(store=store, now=NOW)

    assert _now(letter).language == "en"
