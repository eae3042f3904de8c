"""A letter is written in its customer's language when they have one, else in the letter rule's (crm.languages, ADR
0052); a batch prints each letter in its own language, and the batch page says which, and when a customer's language
had no wording the store could write, so the letter is in the rule's."""

import io
import re
from datetime import UTC, datetime

import pytest
from pdfminer.high_level import extract_text

from letters.models import LetterRule, LetterTemplate, ParcelInsert
from letters.printing import letters_html, letters_pdf
from letters.selectors import batch_letters
from letters.services import letters_prepare
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
SCARF = [{"sku": "SILK-1", "name": "Silk scarf", "quantity": 1, "unit_price": "1500.00"}]


def _order(store, number: str, *, language: str = "", name: str = "Anna Schmidt", **kwargs):
    customer = CustomerFactory(store=store, name=name, language=language)
    return OrderFactory(store=store, customer=customer, external_id=number, items=SCARF, **kwargs)


def _pdf_text(store, letters, **kwargs) -> str:
    return extract_text(io.BytesIO(letters_pdf(store=store, letters=letters, **kwargs)))


def test_an_english_customer_of_a_chinese_store_gets_an_english_letter():
    store = StoreFactory(name="Silk Rhyme", manager_hotline="+86 400 820 8820")
    LetterRule.objects.create(store=store, language="zh-hans")
    _order(store, "E-1", language="en")

    letters = batch_letters(batch=letters_prepare(store=store, now=NOW))

    assert [(letter.language, letter.customer_language) for letter in letters] == [("en", "en")]
    text = _pdf_text(store, letters)
    assert "Anna Schmidt" in text and "Silk scarf" in text and "customer service" in text
    assert "+86 400 820 8820" in text and "Order E-1" in text
    assert not CHINESE.search(text), text  # no Chinese body, and the printed label is English too


@pytest.mark.parametrize("rule_language", ["zh-hans", "en"])
def test_a_customer_without_a_language_gets_the_rules(rule_language):
    store = StoreFactory()
    LetterRule.objects.create(store=store, language=rule_language)
    _order(store, "B-1", language="")

    (letter,) = batch_letters(batch=letters_prepare(store=store, now=NOW))

    assert (letter.language, letter.customer_language) == (rule_language, "")
    assert bool(CHINESE.search(letter.text)) == (rule_language == "zh-hans")


def test_the_customers_language_chooses_among_the_stores_templates_in_it():
    """The most specific template in the customer's language; one in the rule's language, however specific, is not
    for a customer who reads another."""
    store = StoreFactory()
    LetterRule.objects.create(store=store, language="zh-hans")
    parts = {"bodies": "Thank you for your {product}.", "closings": "Call {hotline}.", "signoffs": "{store}"}
    LetterTemplate.objects.create(store=store, name="Ladies", language="en", openings="Dear Ms {customer},", **parts)
    LetterTemplate.objects.create(
        store=store, name="女士", language="zh-hans", gender="female", openings="亲爱的{customer}女士：",
        bodies="感谢。", closings="请致电 {hotline}。", signoffs="{store}",
    )  # fmt: skip
    order = _order(store, "T-1", language="en")
    order.customer.gender = "female"
    order.customer.save()

    (letter,) = batch_letters(batch=letters_prepare(store=store, now=NOW))

    assert letter.language == "en" and letter.variant == "Ladies"
    assert letter.paragraphs[0] == "Dear Ms Anna Schmidt,"


@pytest.mark.parametrize("cue_cards", [False, True])
def test_a_mixed_batch_prints_each_letter_with_its_labels_in_its_own_language(cue_cards):
    store = StoreFactory(name="Silk Rhyme", manager_hotline="+86 400 820 8820")
    LetterRule.objects.create(store=store, language="zh-hans", handwriting=True)
    ParcelInsert.objects.create(store=store, kind="care", title="Care", body="Hand wash cold.")
    _order(store, "M-1", language="", name="王芳")
    _order(store, "M-2", language="en")

    letters = batch_letters(batch=letters_prepare(store=store, now=NOW))
    pdf = letters_pdf(store=store, letters=letters, cue_cards=cue_cards)

    assert [letter.language for letter in letters] == ["zh-hans", "en"]
    chinese, english = (extract_text(io.BytesIO(pdf), page_numbers=[page]) for page in (0, 1))
    assert letters[0].paragraphs[1][:8] in chinese.replace("\n", "")
    assert letters[1].paragraphs[1][:30] in " ".join(english.split())
    if cue_cards:
        assert "随信卡片：Care" in chinese and "Cards to enclose: Care" in english
    else:
        assert "订单 M-1" in chinese and "沿线剪下" in chinese
        assert "Order M-2" in english and "cut along the line" in english
    assert not CHINESE.search(english.replace("王芳", "")), english
    html = letters_html(store=store, letters=letters, cue_cards=cue_cards)
    # The page's language is the first letter's; a letter in another one says its own (only then: ADR 0052).
    assert re.search(r'<html lang="([\w-]+)">', html)[1] == "zh-hans"
    assert re.findall(r'<section class="\w+"(?: lang="([\w-]+)")?>', html) == ["", "en"]


def test_a_customers_language_the_store_has_no_wording_in_falls_back_to_the_rules_and_the_page_says_so(client):
    """The built-in letter is in Chinese and English, and every one of its closings gives the manager's hotline. A
    store without a hotline writes its letters from its own templates; with none in English that fits, an English
    reader's letter cannot be written in English: it is in the rule's language, and the batch page says why."""
    store = StoreFactory(code="silk", manager_hotline="")
    LetterRule.objects.create(store=store, language="zh-hans")
    LetterTemplate.objects.create(
        store=store, name="店铺信", language="zh-hans", openings="亲爱的{customer}：", bodies="感谢您购买{product}。",
        closings="如有任何不满意，请先联系客服。", signoffs="{store} 敬上",
    )  # fmt: skip
    _order(store, "F-1", language="en")
    _order(store, "F-2", language="", name="王芳")

    batch = letters_prepare(store=store, now=NOW)

    english_reader, chinese_reader = batch_letters(batch=batch)
    assert (english_reader.language, english_reader.customer_language) == ("zh-hans", "en")
    assert english_reader.fell_back and not chinese_reader.fell_back
    assert english_reader.text.startswith("亲爱的Anna Schmidt：")
    client.force_login(AgentFactory(stores=[store]).user)
    page = client.get(f"/letters/?store={store.code}&batch={batch.pk}", headers={"accept-language": "en"}).text
    rows = {
        number: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for number, row in re.findall(r'<tr data-testid="letter-\d+"><td>([^<]+)</td>(.*?)</tr>', page, re.S)
    }
    assert "Chinese" in rows["F-1"]
    assert "no wording in English for this order: in the letter rule's language" in rows["F-1"]
    assert "Chinese" in rows["F-2"] and "no wording" not in rows["F-2"]


def test_the_batch_page_shows_each_letters_language(client):
    store = StoreFactory(code="silk")
    LetterRule.objects.create(store=store, language="zh-hans")
    _order(store, "L-1", language="en")
    _order(store, "L-2", language="", name="王芳")
    batch = letters_prepare(store=store, now=NOW)
    client.force_login(AgentFactory(stores=[store]).user)

    page = client.get(f"/letters/?store={store.code}&batch={batch.pk}", headers={"accept-language": "zh-hans"}).text

    english, chinese = (re.search(rf"<td>{number}</td>(.*?)</tr>", page, re.S).group(1) for number in ("L-1", "L-2"))
    assert 'data-testid="letter-language"' in english and "英文" in english and "中文" not in english
    assert "中文" in chinese and "英文" not in chinese
