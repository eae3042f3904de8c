"""A Chinese-reading agent and manager read their pages in Chinese: every main page of the demo (`make run`'s data),
opened in a real browser with a zh-CN locale, shows no English but the stores' own data (their names, customers,
products, SKUs, order numbers, what the store wrote, in English too for its European customers) and a few terms
Chinese after-sales staff use as they are (SLA, SKU, VIP, CSV, PDF, a currency's code).

The allowlist is made of data fields, read from the database after seeding, not of today's strings: a page that
starts showing a code ("past_campaign_end"), an untranslated label, Python's text of a value ("{'EUR': '7.80'}",
"None") or an English error fails here. Content a page marks as not to be translated (`translate="no"`, a code a
manager types) and content in another language (`lang`, the language picker's "English") are left out.
"""

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command

from crm.demo import DEMO_USERS
from tests.customer_words import quoted_sms_replies
from tests.e2e.conftest import login
from tests.staff_terms import STAFF_TERMS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The seed commands `make run` runs, in its order: the demo every page of this test reads.
DEMO_SEEDS = (
    "seed_demo", "seed_demo_reviews", "seed_demo_retention", "seed_demo_cases", "seed_demo_letters",
    "seed_demo_logistics", "seed_demo_callbacks", "refresh_rollups",
)  # fmt: skip

# Fields whose values are the stores' own (or their customers', or the platforms'): shown as they are, never
# translated. Values are read whole (a JSON field's strings too) and split into words.
DATA_FIELDS = {
    "auth.User": ("username", "first_name", "last_name"),
    "crm.Store": ("code", "name", "timezone", "manager_hotline", "currency"),
    "crm.Customer": ("external_id", "name", "region", "interests", "notes"),
    "crm.Order": ("external_id", "currency", "items", "courier", "tracking_number", "coupon_code"),
    "crm.Case": ("summary", "waiting_for", "manager_decision_note"),
    "crm.CaseEvent": ("message",),
    "crm.CaseStep": ("note",),
    "crm.CaseEvidence": ("caption",),
    "crm.StoreClosure": ("name",),
    "crm.RootCause": ("label",),
    "crm.Remedy": ("description", "currency", "decision_reason", "fulfilment_reference"),
    "crm.RemedyPlay": ("script",),
    "callbacks.FollowUp": ("note", "script", "message_body"),
    "callbacks.FollowUpPolicy": ("currency", "exchange_rates"),
    "callbacks.CallAttempt": ("note",),
    "callbacks.CallScript": ("body", "case_body"),
    "reviews.Review": ("external_id", "order_ref", "buyer", "product", "sku", "text", "appended_text"),
    "reviews.ReviewRevision": ("appended_text",),
    "reviews.KeywordMonitor": ("phrase",),
    "reviews.ReviewPolicy": ("main_skus", "competitor_markers"),
    "reviews.ReviewReply": ("text",),
    "reviews.ReplyTemplate": ("text",),
    "reviews.PlatformComplaint": ("platform_reference", "outcome_note"),
    "logistics.Shipment": ("courier", "tracking_number", "last_event_text", "last_event_location"),
    "logistics.Checkpoint": ("text", "location"),
    "logistics.ShipmentNotice": ("message_body",),
    "retention.Segment": ("name",),
    "retention.Campaign": ("name", "wordings"),
    "retention.CampaignContact": ("coupon_code", "message_body"),
    "retention.Coupon": ("code",),
    "retention.Gift": ("name", "description"),
    "retention.GiftTask": ("note",),
    "retention.CustomerAttributes": ("products", "categories", "region"),
    "letters.LetterTemplate": ("name", "region", "category", "openings", "bodies", "closings", "signoffs"),
    "letters.ParcelInsert": ("title", "body", "offer_code", "category"),
    "letters.Letter": ("variant", "text", "signed_by"),
    "letters.LetterInsert": ("title", "body", "offer_code"),
}

# A word: Latin letters, with underscores inside (a code such as past_campaign_end is one word, not three).
WORD = re.compile(r"[A-Za-z][A-Za-z_]*[A-Za-z]")
# Python's text of a value: a dict or list ("{'EUR': '7.80'}", "['TD']"), None.
PYTHON_TEXT = re.compile(r"[{\[]'|'[}\]]|\bNone\b")
# What a page may show that is neither language: a placeholder a store writes ({name}), an address, the piece of a
# word a long text is cut at ("after-sal…").
NOT_WORDS = re.compile(r"\{[a-z_]+\}|https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|[A-Za-z]+(…|\.\.\.)$")

# The text a reader sees on a page: visible text, the words of its controls (options, placeholders, titles, labels
# for the blind), its title. Left out: what a page marks as not to translate, what is in another language, what a
# form field holds (the store's own texts, as typed).
VISIBLE_TEXT = """
() => {
  const skipped = (el) => {
    const language = el.closest('[lang]');
    return el.closest('[translate="no"], script, style, template, textarea')
      || (language && !language.lang.toLowerCase().startsWith('zh'));
  };
  const where = (el) => {
    const tagged = el.closest('[data-testid]');
    return el.tagName.toLowerCase() + (tagged ? ' in ' + tagged.dataset.testid : '');
  };
  const out = [['title', document.title]];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || skipped(el)) continue;
    if (el.tagName !== 'OPTION' && !(el.offsetWidth || el.offsetHeight || el.getClientRects().length)) continue;
    out.push([where(el), text]);
  }
  const worded = '[placeholder], [title], [aria-label], [alt], [hx-confirm], input[type=submit], input[type=button]';
  for (const el of document.querySelectorAll(worded)) {
    if (skipped(el)) continue;
    for (const name of ['placeholder', 'title', 'aria-label', 'alt', 'hx-confirm']) {
      if (el.getAttribute(name)) out.push([where(el) + ' @' + name, el.getAttribute(name)]);
    }
    if (el.tagName === 'INPUT' && el.value) out.push([where(el) + ' @value', el.value]);
  }
  return out;
}
"""

# Pages the test does not read: other formats, other audiences (the admin, the API, the providers' hooks), actions.
NOT_PAGES = re.compile(r"^/(admin|api|hooks|twilio|i18n|accounts/logout)/|\.(pdf|csv)$|/evidence")
PAGES_PER_USER = 80


@pytest.fixture
def demo():
    for command in DEMO_SEEDS:
        call_command(command)


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _data_words() -> set[str]:
    words = set()
    for label, fields in DATA_FIELDS.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            for value in row:
                for text in _strings(value):
                    words.update(WORD.findall(text))
    for reply in quoted_sms_replies():  # the customer's words
        words.update(WORD.findall(reply))
    return words


def _english(text: str, allowed: set[str]) -> list[str]:
    """What of `text` is English (or Python's text of a value) and not allowed."""
    found = PYTHON_TEXT.findall(text)
    return found + [word for word in WORD.findall(NOT_WORDS.sub(" ", text)) if word not in allowed]


def _pattern(url: str) -> str:
    """One page of each kind: ids and query values do not make another kind of page."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _read_pages(page, base: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Visit the pages reachable by link from the home page, one of each kind; what each shows."""
    queue, kinds, visited, texts = ["/"], set(), [], []
    while queue and len(visited) < PAGES_PER_USER:
        path = queue.pop(0)
        if _pattern(path) in kinds:
            continue
        kinds.add(_pattern(path))
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        page.wait_for_function("() => !document.querySelector('.htmx-request')")  # partials loaded on load
        visited.append(path)
        texts += [(path, where, text) for where, text in page.evaluate(VISIBLE_TEXT)]
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            if href.startswith(base):
                link = href[len(base) :].split("#")[0] or "/"
                if not NOT_PAGES.search(urlsplit(link).path) and _pattern(link) not in kinds:
                    queue.append(link)
    return visited, texts


def test_an_agent_and_a_manager_read_every_main_page_in_chinese(new_page, live_server, demo):
    allowed = _data_words() | STAFF_TERMS
    users = {user.role: user for user in DEMO_USERS}
    problems = []
    for role, least in (("agent", 15), ("store_manager", 30)):
        user = users[role]
        page = new_page(locale="zh-CN")
        login(page, user.username, user.password)
        visited, texts = _read_pages(page, live_server.url)
        assert len(visited) >= least, f"{user.username} reached only {visited}"
        for path, where, text in texts:
            if english := _english(text, allowed):
                problems.append(f"{user.username} {path} {where}: {', '.join(english)} in {text[:160]!r}")
    assert not problems, "English on a Chinese page:\n" + "\n".join(sorted(set(problems)))
