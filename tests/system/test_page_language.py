"""Every page, HTMX fragment, CSV and PDF a Chinese-reading agent or manager opens on the demo's data speaks
Chinese: no English words, neither unmarked text nor codes shown as stored (an enum value, a report section's key,
a gate's reason). tests/crm/test_pages_i18n.py checks that every marked message has a translation; this checks
what reaches the reader, marked or not.

What the users and the order systems wrote is theirs to write (the demo's store names carry an English brand):
the words of those texts are taken out first. Text in an element marked lang="en" (the English SMS and notice
templates a store can choose, the language picker's "English") is meant to be English. <code> shows an
identifier the user types into a form (a root cause's code, a placeholder)."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from crm.models import Store
from reviews.models import _default_competitor_markers
from tests.customer_words import quoted_sms_replies
from tests.staff_terms import STAFF_TERMS

from .test_page_escaping import TEXTS
from .test_page_scoping import _patterns, _targets, victim  # noqa: F401 -- victim is a fixture

pytestmark = pytest.mark.django_db

# A run of three or more Latin letters (a word, a code such as "review_changes").
WORD = re.compile(r"[A-Za-z][A-Za-z_'-]{2,}")
# The texts others write: TEXTS of the escaping sweep, and the names, numbers and codes that come with an order.
DATA = {
    **TEXTS,
    "crm.Store": ["name", "code", "timezone"],
    "crm.Customer": ["name", "region", "notes", "external_id"],
    "crm.Order": ["external_id", "tracking_number", "coupon_code"],
    "logistics.Shipment": ["tracking_number", "last_event_text", "last_event_location"],
    "reviews.Review": ["buyer", "product", "sku", "text", "appended_text", "order_ref", "external_id"],
    "retention.Coupon": ["code"],
    "letters.ParcelInsert": ["title", "body", "category", "offer_code"],
    "auth.User": ["username", "first_name", "last_name"],
}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _ShownText(HTMLParser):
    """The text a reader sees: no script or style, nothing inside lang="en" or <code>; the shown attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._open: list[bool] = []  # per open element: is its content left out?

    def _skipping(self) -> bool:
        return any(self._open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_language = (attrs.get("lang") or "zh").lower().startswith("en")
        skipped = tag in ("script", "style", "code") or other_language
        if not self._skipping() and not skipped:
            self.parts += [attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in VOID:
            self._open.append(skipped)

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def _shown(response) -> str:
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("text/html"):
        parser = _ShownText()
        parser.feed(body.decode())
        return "\n".join(parser.parts)
    if kind.startswith("text/csv"):
        return body.decode("utf-8-sig")
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return ""


def _data_words() -> set[str]:
    # The phrases a review monitor looks for, a store's until its manager edits them ("competitor" among them).
    words = set(WORD.findall(" ".join(_default_competitor_markers())))
    for label, fields in DATA.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            words.update(*(WORD.findall(str(value)) for value in row))
    for items in apps.get_model("crm.Order").objects.values_list("items", flat=True):
        for item in items or []:
            words.update(WORD.findall(" ".join(str(item.get(k, "")) for k in ("name", "sku", "category"))))
    for reply in quoted_sms_replies():  # the customer's words
        words.update(WORD.findall(reply))
    return words


def _english(text: str, known: set[str]) -> list[str]:
    # A placeholder ({tracking_number}) is a name the template's author types, like a code.
    text = re.sub(r"\{\w+\}", "", text)
    return [line.strip() for line in text.splitlines() if set(WORD.findall(line)) - known]


@pytest.fixture
def demo(victim):  # noqa: F811
    """The demo, with the report's roll-ups made (its tables have rows) and a parcel notice the gate refused."""
    call_command("refresh_rollups", verbosity=0)
    notice = apps.get_model("logistics.ShipmentNotice").objects.filter(store=victim).first()
    if notice is not None:
        notice.status, notice.suppressed_reason = "suppressed", "sms_opt_out"
        notice.save(update_fields=["status", "suppressed_reason"])
    return victim


@pytest.mark.parametrize("username", ["demo-agent", "demo-manager"])
def test_every_page_speaks_chinese_to_a_chinese_reader(client, demo, username):
    store = Store.objects.get(pk=demo.pk)
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["django_language"] = "zh-hans"
    known = _data_words() | STAFF_TERMS
    targets = _targets(store, store)
    english, opened = [], 0
    for _route, name, kwargs in _patterns():
        for arguments in targets[name] if kwargs else [{}]:
            url = reverse(name, kwargs=arguments or None)
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, {"store": store.code}, headers=headers)
                text = _shown(response)
                opened += bool(text)
                english += [(url, bool(headers), line) for line in _english(text, known)]
    assert opened > 100  # the sweep read the pages, the CSVs and the PDFs
    assert not english, "\n".join(map(str, sorted(set(english))))
