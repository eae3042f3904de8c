import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm.models import Customer, InboundEvent, Order
from crm.services.ingestion import events
from tests.crm.api.helpers import order_payload, orders_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"


def test_one_order_is_created_with_its_customer_in_utc(api, store):
    response = api.post(URL, order_payload(1, shipped_at="2026-11-21T09:30:00+08:00", courier="SF"))

    assert response.status_code == 200, response.json()
    [result] = response.json()["results"]
    order = Order.objects.get(pk=result["id"])
    assert result == {"external_id": "TB00000001", "store": store.code, "id": order.pk, "result": "created"}
    assert order.store == store
    assert order.placed_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert order.status == Order.Status.SHIPPED
    assert order.total_amount == Decimal("1899.00")
    assert order.currency == "CNY"
    assert order.customer.phone == "+8613800000001"
    assert order.customer.gender == Customer.Gender.UNKNOWN


def test_reposting_a_batch_changes_nothing_and_answers_updated(api):
    batch = orders_payload(50)
    first = api.post(URL, batch).json()["results"]
    stamps = dict(Order.objects.values_list("external_id", "updated_at"))
    events = InboundEvent.objects.count()

    second = api.post(URL, batch).json()["results"]

    assert [r["id"] for r in second] == [r["id"] for r in first]
    assert {r["result"] for r in first} == {"created"}
    assert {r["result"] for r in second} == {"updated"}
    assert dict(Order.objects.values_list("external_id", "updated_at")) == stamps
    assert Order.objects.count() == 50 and Customer.objects.count() == 50
    assert InboundEvent.objects.count() == events == 50


def test_a_changed_order_is_updated_and_logged_as_a_new_event(api):
    api.post(URL, order_payload(1))
    response = api.post(URL, order_payload(1, total_amount=2100, courier="SF", tracking_number="SF123"))

    assert response.json()["results"][0]["result"] == "updated"
    order = Order.objects.get()
    assert (order.total_amount, order.courier, order.tracking_number) == (Decimal("2100.00"), "SF", "SF123")
    assert InboundEvent.objects.filter(kind="order", external_id="TB00000001").count() == 2


def test_absent_blank_or_unknown_optional_fields_keep_their_stored_values(api):
    api.post(URL, order_payload(1, courier="SF", customer={**order_payload(1)["customer"], "gender": "female"}))
    api.post(URL, order_payload(1))
    api.post(URL, order_payload(1, courier="", customer={**order_payload(1)["customer"], "gender": "unknown"}))

    order = Order.objects.select_related("customer").get()
    assert order.courier == "SF"
    assert order.customer.gender == "female"


def test_two_orders_of_one_customer_share_the_customer(api):
    customer = order_payload(1)["customer"]
    api.post(URL, [order_payload(1, customer=customer), order_payload(2, customer={**customer, "name": "新名字"})])

    assert Customer.objects.get().name == "新名字"
    assert Order.objects.count() == 2


def test_the_inbound_log_keeps_who_sent_what_and_when(api):
    api.post(URL, order_payload(1, vendor_note="kept as sent"))

    event = InboundEvent.objects.get()
    assert event.token.name == "Tmall connector"
    assert json.loads(event.payload)["vendor_note"] == "kept as sent"
    assert event.received_at is not None


def test_the_inbound_log_keeps_text_that_needs_escaping_exactly(api):
    # The log is written with COPY, whose text format gives backslash, tab and newline meanings of their own.
    row = order_payload(1, external_id="A\tB\\C\nD", vendor_note='tab\t, "quote", back\\slash, 换行\n, \\N')
    api.post(URL, row)

    event = InboundEvent.objects.get()
    assert event.external_id == "A\tB\\C\nD"
    assert json.loads(event.payload) == row


def test_a_payload_logged_concurrently_is_not_logged_twice(api, monkeypatch):
    # Another batch may log the same payload between the lookup of logged payloads and the COPY: the COPY
    # then fails on the unique index and the rows go in again, skipping the ones already there.
    api.post(URL, [order_payload(1), order_payload(2)])
    monkeypatch.setattr(events, "_logged_keys", lambda **_: set())

    response = api.post(URL, [order_payload(1), order_payload(2, courier="JD")])

    assert response.status_code == 200
    assert InboundEvent.objects.filter(external_id=order_payload(1)["external_id"]).count() == 1
    assert InboundEvent.objects.filter(external_id=order_payload(2)["external_id"]).count() == 2
    assert Order.objects.get(external_id=order_payload(2)["external_id"]).courier == "JD"


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_posted_at_once_write_each_order_and_event_once(api):
    # Two connectors post overlapping batches at the same moment (real threads, real connections): every
    # order exists once, exactly one answer says "created" for it, and no payload is logged twice.
    import threading

    from django.db import connection

    shared = [order_payload(n) for n in range(1, 41)]
    bodies = [
        shared + [order_payload(n) for n in range(100, 120)],
        [order_payload(n) for n in range(200, 220)] + shared,
    ]
    barrier = threading.Barrier(2)
    answers = [None, None]

    def post(i):
        barrier.wait()
        try:
            answers[i] = api.post(URL, bodies[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200, 200]
    results = [r for a in answers for r in a.json()["results"]]
    created = [r["external_id"] for r in results if r["result"] == "created"]
    assert sorted(created) == sorted({o["external_id"] for body in bodies for o in body})
    assert Order.objects.count() == 80
    assert InboundEvent.objects.count() == 80


def test_an_order_without_a_currency_is_in_its_stores_currency(other_api, other_store):
    # A Berlin store's order system that sends no currency had every order stored as CNY: its remedies, refunds and
    # segments then took its euros for yuan.
    other_store.currency = "EUR"
    other_store.save(update_fields=["currency"])
    euros = other_api.post(URL, order_payload(1)).json()["results"][0]
    yuan = other_api.post(URL, order_payload(2, currency="CNY")).json()["results"][0]
    assert Order.objects.get(pk=euros["id"]).currency == "EUR"
    assert Order.objects.get(pk=yuan["id"]).currency == "CNY"


def test_a_new_phone_or_name_from_the_order_system_goes_into_the_customers_history_once(api):
    """The agent who reads a reply from a former number (ADR 0049) or a name they did not type sees where it came
    from: one history row per changed field, by the system, the numbers masked; a repeat writes nothing more."""
    from django.utils import translation

    from crm.models import CustomerChange
    from crm.readable.customers import customer_change_text

    api.post(URL, order_payload(1))
    moved = order_payload(1, customer={"external_id": "buyer-1", "name": "顾客一", "phone": "13900000009"})
    for _ in range(2):
        assert api.post(URL, moved).status_code == 200
    api.post(URL, order_payload(1, customer={**moved["customer"], "gender": "female"}))  # untracked: no row

    changes = {c.field: c for c in CustomerChange.objects.all()}
    assert sorted(changes) == ["name", "phone"]
    assert (changes["phone"].old_value, changes["phone"].new_value) == ("+8613800000001", "+8613900000009")
    assert (changes["name"].old_value, changes["name"].new_value) == ("顾客1", "顾客一")
    assert all(c.changed_by is None for c in changes.values())
    with translation.override("en"):
        text = customer_change_text(changes["phone"])
    assert "138****0001" in text and "139****0009" in text and "13800000001" not in text


def test_a_language_from_the_order_system_goes_into_the_customers_history_once_and_a_blank_one_keeps_it(api):
    """The language the store writes to the customer in, changed by the order system, was changed silently: only the
    name and phone were kept in the history. A blank or absent one keeps the stored language and writes nothing."""
    from django.utils import translation

    from crm.models import Customer, CustomerChange
    from crm.readable.customers import customer_change_text

    api.post(URL, order_payload(1))
    english = order_payload(1, customer={"external_id": "buyer-1", "name": "顾客1", "phone": "13800000001",
                                         "language": "en"})  # fmt: skip
    for _ in range(2):
        assert api.post(URL, english).status_code == 200
    for blank in ("", None):
        api.post(URL, order_payload(1, customer={**english["customer"], "language": blank}))
    api.post(URL, order_payload(1))  # no language at all

    [change] = CustomerChange.objects.all()
    assert (change.field, change.old_value, change.new_value, change.changed_by) == ("language", "", "en", None)
    assert Customer.objects.get().language == "en"
    with translation.override("en"):
        assert customer_change_text(change) == "Message language: The store's language → English"
    with translation.override("zh-hans"):
        assert customer_change_text(change) == "消息语言：店铺的语言 → 英文"
