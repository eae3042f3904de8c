"""The letters pages: scoped to the user's stores (404 for others), managers edit, agents print."""

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from pypdf import PdfReader

from crm.errors import PermissionDenied
from crm.models import AuditLog
from letters import services as letter_services
from letters.models import Letter, LetterTemplate, PrintBatch
from letters.services import REPRINT_REPEAT, letter_rule_update, letters_prepare
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory
from tests.locking import overlapping

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(code="silk")


@pytest.fixture
def other_store():
    return StoreFactory(code="jade")


def _login(client, agent):
    client.force_login(agent.user)
    return agent


def _template_post(store, **changes):
    return {
        "store": store.code, "name": "女士", "language": "zh-hans", "active": "on",
        "openings": "亲爱的{customer}：", "bodies": "感谢您购买{product}。",
        "closings": "如有不满意请联系客服；若仍不满意请拨打店长热线 {hotline}。", "signoffs": "{store} 敬上", **changes,
    }  # fmt: skip


def test_agent_downloads_the_batch_and_reprints_a_letter_but_cannot_edit_templates(client, store):
    agent = _login(client, AgentFactory(stores=[store]))
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="王芳"), external_id="S-1")
    assert client.post("/letters/prepare/", {"store": store.code}).status_code == 302
    batch = PrintBatch.objects.get(store=store)
    page = client.get(f"/letters/?store={store.code}")
    assert page.status_code == 200 and "王芳" in page.text and "built-in letter" in page.text
    pdf = client.get(f"/letters/batches/{batch.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    letter = Letter.objects.get()
    reprint = client.post(f"/letters/{letter.pk}/reprint.pdf")
    assert reprint.status_code == 200 and len(PdfReader(io.BytesIO(reprint.content)).pages) == 1
    assert Letter.objects.get().reprint_count == 1
    assert client.post(f"/letters/batches/{batch.pk}/printed/").status_code == 302
    assert PrintBatch.objects.get().printed_by == agent.user
    assert AuditLog.objects.filter(action__in=["letter_reprinted", "letter_batch_printed"]).count() == 2
    assert client.get(f"/letters/templates/?store={store.code}").status_code == 404
    assert client.get(f"/letters/rule/?store={store.code}").status_code == 404


def test_an_agents_letters_page_offers_no_tab_that_is_not_theirs(client, store):
    """An agent's batch page showed the manager's tabs (letter templates, which orders, parcel inserts), each a 404
    page when clicked: the tabs were to show unless the page said otherwise, and "cannot edit" read as "not said"."""
    _login(client, AgentFactory(stores=[store]))
    tabs = client.get(f"/letters/?store={store.code}").text.split('data-testid="letters-tabs"')[1].split("</nav>")[0]
    assert "/letters/?store=" in tabs
    for manager_page in ("/letters/templates/", "/letters/rule/", "/letters/inserts/"):
        assert manager_page not in tabs
    client.force_login(ManagerFactory(stores=[store]).user)
    for page in ("/letters/", "/letters/templates/", "/letters/rule/", "/letters/inserts/"):
        tabs = client.get(f"{page}?store={store.code}").text.split('data-testid="letters-tabs"')[1].split("</nav>")[0]
        assert all(tab in tabs for tab in ("/letters/templates/", "/letters/rule/", "/letters/inserts/")), page


def test_other_stores_batches_and_pages_are_404(client, store, other_store):
    _login(client, ManagerFactory(stores=[store]))
    OrderFactory(store=other_store, customer=CustomerFactory(store=other_store), external_id="J-1")
    batch = letters_prepare(store=other_store, now=datetime(2026, 11, 24, 2, tzinfo=UTC))
    letter = Letter.objects.get()
    assert client.get(f"/letters/?store={other_store.code}").status_code == 404
    assert client.get(f"/letters/batches/{batch.pk}.pdf").status_code == 404
    assert client.post(f"/letters/batches/{batch.pk}/printed/").status_code == 404
    assert client.post(f"/letters/{letter.pk}/reprint.pdf").status_code == 404
    assert client.get(f"/letters/templates/?store={other_store.code}").status_code == 404
    template = LetterTemplate.objects.create(
        store=other_store, name="x", language="en", openings="a", bodies="b", closings="c", signoffs="d"
    )
    assert client.get(f"/letters/templates/{template.pk}/?store={store.code}").status_code == 404


def test_manager_saves_a_template_and_a_cashback_one_is_refused_with_the_reason(client, store):
    _login(client, ManagerFactory(stores=[store]))
    form = client.get(f"/letters/templates/new/?store={store.code}")
    assert form.status_code == 200 and "{hotline}" in form.text  # the built-in letter, with the invitation
    refused = client.post(
        f"/letters/templates/new/?store={store.code}", _template_post(store, bodies="五星好评返现10元！")
    )
    assert refused.status_code == 400 and "forbid offering money" in refused.text
    assert not LetterTemplate.objects.exists()
    saved = client.post(f"/letters/templates/new/?store={store.code}", _template_post(store, gender="female"))
    assert saved.status_code == 302
    assert LetterTemplate.objects.get().gender == "female"


def test_preview_renders_the_form_as_written_for_the_chosen_order(client, store):
    _login(client, ManagerFactory(stores=[store]))
    order = OrderFactory(store=store, customer=CustomerFactory(store=store, name="赵敏"))
    response = client.post("/letters/templates/preview/", {**_template_post(store), "order": order.pk})
    assert response.status_code == 200, response.text
    assert "亲爱的赵敏：" in response.text and store.manager_hotline in response.text
    unknown = client.post(
        "/letters/templates/preview/", {**_template_post(store, openings="{nick}"), "order": order.pk}
    )
    assert unknown.status_code == 400 and "Unknown placeholder {nick}" in unknown.text
    assert not LetterTemplate.objects.exists()


def test_a_refusal_while_previewing_is_the_403_page_not_a_preview_error(client, store, monkeypatch):
    """The preview caught every service error on its own and showed it as the preview's, a refusal included; it goes
    through crm.pages now, like every page: an error in place with its status, a refusal the 403 page."""

    def refuse(**kwargs):
        raise PermissionDenied("Only a manager of this store may preview its letters.")

    _login(client, ManagerFactory(stores=[store]))
    order = OrderFactory(store=store, customer=CustomerFactory(store=store))
    monkeypatch.setattr(letter_services, "letter_preview", refuse)
    response = client.post("/letters/templates/preview/", {**_template_post(store), "order": order.pk})
    assert response.status_code == 403 and 'data-testid="forbidden"' in response.text


def test_rule_page_saves_the_threshold_and_control_share(client, store):
    _login(client, ManagerFactory(stores=[store]))
    page = client.get(f"/letters/rule/?store={store.code}")
    # A store has retention's built-in segments from its creation: the rule can name one.
    assert page.status_code == 200 and "High-value repeat buyers" in page.text
    data = {"store": store.code, "enabled": "on", "min_amount": "800", "control_percent": "10", "language": "en"}
    assert client.post(f"/letters/rule/?store={store.code}", data).status_code == 302
    assert store.letter_rule.control_percent == 10 and store.letter_rule.language == "en"
    too_many = client.post(f"/letters/rule/?store={store.code}", {**data, "control_percent": "80"})
    assert too_many.status_code == 400


@pytest.mark.parametrize("url", ["/letters/", "/letters/templates/", "/letters/rule/", "/letters/inserts/"])
def test_a_nul_character_in_the_store_is_a_404_not_a_500(client, store, url):
    _login(client, ManagerFactory(stores=[store]))
    assert client.get(url, {"store": "a\x00b"}).status_code == 404


def test_an_order_number_with_a_superscript_or_circled_digit_is_prepared_like_any_other(client, store):
    # "²" and "①" are digits to str.isdigit() but not to int(): the packing order must not trip on them.
    _login(client, AgentFactory(stores=[store]))
    for number in ("TM-①", "TM-²2", "TM-10", "TM-9"):
        OrderFactory(store=store, customer=CustomerFactory(store=store), external_id=number)
    assert client.post("/letters/prepare/", {"store": store.code}).status_code == 302
    batch = PrintBatch.objects.get(store=store)
    page = client.get(f"/letters/?store={store.code}&batch={batch.pk}")
    assert page.status_code == 200 and page.text.index("TM-9") < page.text.index("TM-10")
    assert client.get(f"/letters/batches/{batch.pk}.pdf").status_code == 200
    assert Letter.objects.filter(batch=batch).count() == 4


def test_the_batch_page_says_when_a_batch_was_printed_in_the_stores_time(client, store):
    _login(client, AgentFactory(stores=[store]))
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    batch = letters_prepare(store=store)
    PrintBatch.objects.filter(pk=batch.pk).update(printed_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    page = client.get(f"/letters/?store={store.code}&batch={batch.pk}").text
    assert "2026-11-23 09:30" in page and "01:30" not in page  # 09:30 in Shanghai


def _mark_printed_form(page: str) -> tuple[str, dict]:
    """The page's "Mark printed" form: its action and hidden fields (the CSRF token aside)."""
    form = re.search(r'<form method="post" action="(/letters/batches/\d+/printed/)"[^>]*>(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[2]))
    fields.pop("csrfmiddlewaretoken", None)
    return form[1], fields


def test_a_letter_written_after_the_pdf_was_downloaded_is_not_marked_printed_with_it(client, store):
    # An agent downloaded the batch and printed it; a colleague's "prepare" then added a new order's letter to the
    # same open batch; "Mark printed" on the first page closed the batch with that letter in it, never printed.
    _login(client, AgentFactory(stores=[store]))
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="王芳"), external_id="S-1")
    client.post("/letters/prepare/", {"store": store.code})
    page = client.get(f"/letters/?store={store.code}").text
    pdf = client.get(html.unescape(re.search(r'href="(/letters/batches/\d+\.pdf[^"]*)"', page)[1]))
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1

    OrderFactory(store=store, customer=CustomerFactory(store=store, name="周杰"), external_id="S-2")
    client.post("/letters/prepare/", {"store": store.code})
    action, fields = _mark_printed_form(page)
    assert client.post(action, fields).status_code == 302

    printed = PrintBatch.objects.get(printed_at__isnull=False)
    assert [letter.order.external_id for letter in printed.letters.all()] == ["S-1"]
    later = Letter.objects.get(order__external_id="S-2")
    assert later.batch.printed_at is None and later.batch_id != printed.pk
    page = client.get(f"/letters/?store={store.code}&batch={later.batch_id}").text
    assert "周杰" in page and "王芳" not in page


def test_a_pdf_downloaded_while_a_letter_is_added_prints_what_the_page_listed(client, store):
    _login(client, AgentFactory(stores=[store]))
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    client.post("/letters/prepare/", {"store": store.code})
    page = client.get(f"/letters/?store={store.code}").text
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-2")
    client.post("/letters/prepare/", {"store": store.code})

    pdf = client.get(html.unescape(re.search(r'href="(/letters/batches/\d+\.pdf[^"]*)"', page)[1]))

    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1


def test_the_letter_language_is_named_in_the_readers_language(client):
    """The choice read "中文 / English" whatever the reader's language: an English word on a Chinese page."""
    store = StoreFactory()
    client.force_login(ManagerFactory(stores=[store]).user)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/letters/templates/new/", {"store": store.code}).text
    assert '<option value="en">英文</option>' in page and '<option value="en">English</option>' not in page
    client.cookies["django_language"] = "en"
    page = client.get("/letters/templates/new/", {"store": store.code}).text
    assert '<option value="zh-hans" selected>Chinese</option>' in page


def test_the_second_of_two_agents_marking_a_batch_printed_is_told_who_marked_it_first(client, store):
    """Both got "The batch is marked printed.": the second agent believed their click had closed the batch."""
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    letters_prepare(store=store)
    first, second = AgentFactory(stores=[store], user__username="lin"), AgentFactory(stores=[store])
    _login(client, second)
    action, fields = _mark_printed_form(client.get(f"/letters/?store={store.code}").text)
    _login(client, first)
    assert "The batch is marked printed." in client.post(action, fields, follow=True).text
    printed_at = PrintBatch.objects.get().printed_at.astimezone(store.tzinfo)
    _login(client, second)

    page = client.post(action, fields, follow=True).text

    batch = PrintBatch.objects.get()
    assert f"Batch #{batch.pk} was already marked printed by lin at {printed_at:%H:%M}; nothing changed." in page
    assert "The batch is marked printed." not in page
    assert batch.printed_by == first.user and AuditLog.objects.filter(action="letter_batch_printed").count() == 1


def test_an_empty_batch_offers_no_pdf_and_its_pdf_address_prints_no_blank_sheet(client, store):
    """A batch whose letters are gone (their orders deleted in the admin) still offered "Download the PDF", which
    gave one blank page to print."""
    _login(client, AgentFactory(stores=[store]))
    batch = PrintBatch.objects.create(store=store, day=datetime(2026, 11, 24).date(), created_at=datetime.now(UTC))

    page = client.get(f"/letters/?store={store.code}&batch={batch.pk}").text
    response = client.get(f"/letters/batches/{batch.pk}.pdf?upto=0", follow=True)

    assert 'data-testid="download-batch"' not in page
    assert response.redirect_chain == [(f"/letters/?store={store.code}&batch={batch.pk}", 302)]
    assert "There is nothing to print: the batch lists no letters." in response.text


def test_letters_are_not_written_with_an_empty_hotline_or_signer(client, store):
    """A store without a manager hotline got the built-in letter with "店长热线  随时为您服务": the closing's number
    was blank on every printed letter. A template signed {agent} printed no name once the rule lost its signer."""
    from letters.services import letter_rule_update, letter_template_save
    from tests.letters.test_templates import _data

    _login(client, AgentFactory(stores=[store]))
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    store.manager_hotline = ""
    store.save()

    page = client.post("/letters/prepare/", {"store": store.code}, follow=True).text

    assert "{hotline} would be empty: the store has no manager hotline yet." in html.unescape(page)
    assert not Letter.objects.exists() and not PrintBatch.objects.exists()

    store.manager_hotline = "+86 400 820 8820"
    store.save()
    signer = AgentFactory(stores=[store])
    letter_rule_update(store=store, actor=None, changes={"signing_agent": signer})
    letter_template_save(store=store, actor=None, data=_data(signoffs="{agent} 敬上"))
    letter_rule_update(store=store, actor=None, changes={"signing_agent": None})

    page = client.post("/letters/prepare/", {"store": store.code}, follow=True).text

    assert "{agent} would be empty: choose who signs the letters in the letter rule first." in html.unescape(page)
    assert not Letter.objects.exists()


def test_a_template_with_a_long_name_and_conditions_writes_its_letters(client, store):
    """The letter keeps how it was chosen (the template's name and conditions) in 200 characters; a template named
    with 100 characters for a region of 100 made "Add today's new orders" a server error."""
    from letters.services import letter_template_save
    from tests.letters.test_templates import _data

    region = ("浙江省杭州市西湖区" * 12)[:100]
    letter_template_save(store=store, actor=None, data=_data(name="女" * 100, region=region, gender="female"))
    OrderFactory(store=store, customer=CustomerFactory(store=store, region=region, gender="female"), external_id="S-1")
    _login(client, AgentFactory(stores=[store]))

    assert client.post("/letters/prepare/", {"store": store.code}).status_code == 302

    variant = Letter.objects.get().variant
    assert len(variant) == 200 and variant.startswith("女" * 100 + " (") and variant.endswith("…")
    assert variant[:150] in client.get(f"/letters/?store={store.code}").text


def test_letters_signed_by_an_agent_with_a_very_long_name_are_written(client):
    # A full name may run to 301 characters (first and last name of 150 each, set in the admin): "Add today's new
    # orders" answered 500, the letter's signer column holding 200.
    store = StoreFactory(manager_hotline="+86 400 820 8820")
    signer = AgentFactory(stores=[store], user__first_name="长" * 150, user__last_name="名" * 150)
    letter_rule_update(store=store, actor=None, changes={"signing_agent": signer})
    OrderFactory(store=store, customer=CustomerFactory(store=store), total_amount="1500.00")

    letters_prepare(store=store, now=datetime.now(UTC))

    letter = Letter.objects.get()
    assert letter.signed_by == ("长" * 150 + " " + "名" * 150)[:200]


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_reprint_counts_and_audits_one_reprint_and_both_clicks_get_the_pdf(store):
    """Two POSTs of the reprint button at once (a double click): the second arrives while the first still holds the
    letter. Both used to count, so the batch said ×2 and the audit log had two reprints for one sheet printed."""
    agent = AgentFactory(stores=[store])
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC))
    letter = Letter.objects.get()
    answers = {}

    def click(name):
        client = Client()
        client.force_login(agent.user)
        answers[name] = client.post(f"/letters/{letter.pk}/reprint.pdf")

    assert overlapping(lambda: click("first"), lambda: click("second"))
    assert [answers[n].status_code for n in ("first", "second")] == [200, 200]
    assert all(answers[n]["Content-Type"] == "application/pdf" for n in ("first", "second"))
    assert Letter.objects.get().reprint_count == 1
    assert AuditLog.objects.filter(action="letter_reprinted").count() == 1
    assert PrintBatch.objects.count() == 1  # a reprint is the letter printed again, never a batch


def test_a_reprint_asked_again_later_is_another_reprint(client, store):
    _login(client, AgentFactory(stores=[store]))
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC))
    letter = Letter.objects.get()
    assert client.post(f"/letters/{letter.pk}/reprint.pdf").status_code == 200
    earlier = Letter.objects.get().reprinted_at - REPRINT_REPEAT - timedelta(seconds=1)
    Letter.objects.filter(pk=letter.pk).update(reprinted_at=earlier)  # the printer jammed; the agent comes back
    assert client.post(f"/letters/{letter.pk}/reprint.pdf").status_code == 200
    assert Letter.objects.get().reprint_count == 2
    assert AuditLog.objects.filter(action="letter_reprinted").count() == 2


def test_every_tab_of_a_letters_page_leads_to_a_page_that_exists(client, store, other_store):
    """An open parcel card's page (`/letters/inserts/<id>/?store=silk`) showed the store tabs as `?store=jade` on the
    same address: the silk card under the jade store, a 404. A store tab now leads to that store's list of cards."""
    from urllib.parse import urljoin

    from letters.models import ParcelInsert

    client.force_login(ManagerFactory(stores=[store, other_store]).user)
    card = ParcelInsert.objects.create(store=store, kind="brand_story", title="品牌故事", body="始于1998年")
    template = LetterTemplate.objects.create(store=store, name="t", language="zh-hans", openings="a", bodies="b",
                                             closings="c", signoffs="d")  # fmt: skip
    pages = ["/letters/", "/letters/templates/", "/letters/templates/new/", f"/letters/templates/{template.pk}/",
             "/letters/rule/", "/letters/inserts/", f"/letters/inserts/{card.pk}/"]  # fmt: skip
    followed = set()
    for page in pages:
        address = f"{page}?store={store.code}"
        answer = client.get(address)
        assert answer.status_code == 200, address
        for nav in re.findall(r'<nav class="tabs"[^>]*>(.*?)</nav>', answer.text, re.S):
            for href in re.findall(r'href="([^"]+)"', nav):
                target = urljoin(address, html.unescape(href))
                assert client.get(target).status_code == 200, (address, target)
                followed.add(target)
    assert f"/letters/inserts/?store={other_store.code}" in followed


@pytest.mark.parametrize(("language", "between"), [("zh-hans", "、"), ("en", ", ")])
def test_the_batch_page_lists_a_letters_cards_as_the_pages_language_lists(client, store, language, between):
    # A Chinese page read "品牌故事, 保养说明": the cards were joined with an ASCII comma whatever the page's language.
    from letters.models import ParcelInsert

    _login(client, AgentFactory(stores=[store]))
    ParcelInsert.objects.create(store=store, kind="brand_story", title="品牌故事", body="1998")
    ParcelInsert.objects.create(store=store, kind="care", title="保养说明", body="…")
    OrderFactory(store=store, customer=CustomerFactory(store=store), external_id="S-1")
    letters_prepare(store=store)
    letter = Letter.objects.get()
    titles = [insert.title for insert in letter.inserts.all()]
    assert len(titles) == 2

    page = client.get(f"/letters/?store={store.code}", HTTP_ACCEPT_LANGUAGE=language).text

    row = page.split(f'data-testid="letter-{letter.pk}"')[1].split("</tr>")[0]
    assert f"<td>{between.join(titles)}</td>" in row


def _conflict(**_kwargs):
    """A service's refusal that is a conflict with what is stored (409), not input to correct."""
    from crm.errors import Conflict

    raise Conflict("Someone else changed this meanwhile.", field="name")


@pytest.mark.parametrize(
    ("url", "service", "post"),
    [
        ("/letters/templates/new/", "letter_template_save", lambda store: _template_post(store)),
        ("/letters/rule/", "letter_rule_update", lambda store: {"store": store.code, "enabled": "on",
                                                                "control_percent": "0", "language": "zh-hans"}),
        ("/letters/inserts/", "parcel_insert_save", lambda store: {"store": store.code, "title": "品牌故事",
                                                                   "kind": "brand_story", "body": "感谢"}),
    ],
)  # fmt: skip
def test_a_letters_form_refused_with_a_conflict_answers_409_with_the_reason_on_the_form(
    client, store, monkeypatch, url, service, post
):
    # The template, rule and card forms answered every refusal of their service with 400, whatever its own status.
    _login(client, ManagerFactory(stores=[store]))
    monkeypatch.setattr(letter_services, service, _conflict)

    response = client.post(f"{url}?store={store.code}", post(store))

    assert response.status_code == 409, response.text[:500]
    assert "Someone else changed this meanwhile." in response.text
