"""The manager's report sections on parcel delays: found, told first, and complaints and bad reviews with and
without an early notice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Case
from crm.services.cases import case_open
from crm.timezones import store_today, to_store_local
from logistics.models import ShipmentNotice
from logistics.services.delays import delays_sweep
from logistics.services.notices import notices_send_due
from reports.metrics import Period
from reports.metrics.logistics import delays_found, early_notice_effect
from reports.rollups import rollups_refresh
from tests.callbacks.conftest import midday_store
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, ReviewFactory

from .conftest import parcels_told_by_call, ship

pytestmark = pytest.mark.django_db


def test_delays_told_first_and_what_an_early_notice_changed():
    store = midday_store()
    told = ship(OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("500")), hours_ago=30)
    silent = ship(
        OrderFactory(customer=CustomerFactory(store=store, sms_opt_out=True), total_amount=Decimal("500")),
        hours_ago=30,
    )
    delays_sweep()
    notices_send_due()
    assert ShipmentNotice.objects.get(shipment=told).status == "sent"
    # The customer who heard nothing complains about the delivery, then posts a bad review.
    case_open(
        store=store,
        customer=silent.order.customer,
        source=Case.Source.CALL,
        order=silent.order,
        cause=Case.Cause.LOGISTICS,
    )
    ReviewFactory(store=store, order=silent.order, rating=1, posted_at=timezone.now())
    rollups_refresh(store=store)
    today = store_today(store)
    period = Period(store=store, start=today - timedelta(days=1), end=today)

    [row] = delays_found(period).rows
    assert (row["found"], row["told"], row["told_first"]) == (2, 1, 1)
    rows = {r["group"]: r for r in early_notice_effect(period).rows}
    assert (rows["Told early"]["orders"], rows["Told early"]["complaints"], rows["Told early"]["bad_reviews"]) == (
        1,
        0,
        0,
    )
    assert (rows["Not told"]["orders"], rows["Not told"]["complaints"], rows["Not told"]["bad_reviews"]) == (1, 1, 1)


def _status_callback(client, notice, status):
    """Twilio's signed status callback for the notice, posted to the hook its send named."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    path = f"/hooks/notices/{notice.pk}/status"
    params = {"MessageSid": notice.provider_id, "MessageStatus": status}
    signature = RequestValidator("webhook-token").compute_signature(f"https://crm.example.com{path}", params)
    response = client.post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded",
        headers={"x-twilio-signature": signature},
    )  # fmt: skip
    assert response.status_code == 204


def test_a_delay_notice_the_provider_could_not_deliver_told_nobody(client, settings):
    """Twilio reports `undelivered` or `failed` after the delay SMS was sent: the customer was never told. The report
    counts it apart (Not delivered), never as a customer told, nor told first when they then contact us; the board
    shows it as not delivered, not as sent."""
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "webhook-token", "https://crm.example.com"
    store = midday_store()
    parcels = [
        ship(OrderFactory(customer=CustomerFactory(store=store), total_amount=Decimal("500")), hours_ago=30)
        for _ in range(3)
    ]
    delays_sweep()
    notices_send_due()
    reports = {parcels[0]: ("sent", "delivered"), parcels[1]: ("sent", "undelivered"), parcels[2]: ("failed",)}
    for shipment, statuses in reports.items():
        notice = ShipmentNotice.objects.get(shipment=shipment)
        for status in statuses:
            _status_callback(client, notice, status)
    # The customer whose notice never arrived asks where the parcel is, and posts a bad review.
    unreached = parcels[1].order
    case_open(store=store, customer=unreached.customer, source=Case.Source.CALL, order=unreached,
              cause=Case.Cause.LOGISTICS)  # fmt: skip
    ReviewFactory(store=store, order=unreached, rating=1, posted_at=timezone.now())
    rollups_refresh(store=store)
    today = store_today(store)
    period = Period(store=store, start=today - timedelta(days=1), end=today)

    [row] = delays_found(period).rows
    assert (row["found"], row["told"], row.get("undelivered"), row["told_first"]) == (3, 1, 2, 1)
    groups = {r["group"]: (r["orders"], r["complaints"], r["bad_reviews"]) for r in early_notice_effect(period).rows}
    assert groups == {"Told early": (1, 0, 0), "Notice not delivered": (2, 1, 1)}

    client.force_login(AgentFactory(stores=[store]).user)
    for language, sent, not_delivered in (
        ("en", "SMS: Sent", "SMS: Not delivered"),
        ("zh-hans", "短信：已发送", "短信：未送达"),
    ):
        client.cookies["django_language"] = language
        board = client.get("/logistics/").text
        told = {s: _told_cell(board, s) for s in parcels}
        assert told[parcels[0]].startswith(sent)
        assert told[parcels[1]].startswith(not_delivered) and told[parcels[2]].startswith(not_delivered)
        parcel = client.get(f"/logistics/shipments/{parcels[1].pk}/").text
        assert _told_cell(parcel, parcels[1]).startswith(not_delivered)


def _told_cell(page: str, shipment) -> str:
    """The text of the parcel's "Already told" cell on the board."""
    import re

    row = page[page.index(f'data-number="{shipment.tracking_number}"') :]
    cell = row[row.index('data-testid="told">') :]
    return re.sub(r"<[^>]+>", "", cell[len('data-testid="told">') : cell.index("</td>")]).strip()


def test_a_delay_call_that_reached_the_customer_told_them_in_the_report():
    """A call is how the store's rule tells a call-tier customer of a delay: reached (the outcome logged says so) it
    told them, at the time it was logged, before they asked; unanswered or not made, it told nobody."""
    store, _parcels, _logged_at = parcels_told_by_call()
    rollups_refresh(store=store)
    today = store_today(store)
    period = Period(store=store, start=today - timedelta(days=1), end=today)

    [row] = delays_found(period).rows
    assert (row["found"], row["told"], row["told_first"]) == (3, 1, 1)
    groups = {r["group"]: (r["orders"], r["complaints"]) for r in early_notice_effect(period).rows}
    assert groups == {"Told early": (1, 1), "Not told": (2, 2)}


# A call that reached the customer, and one not answered, as the board and the parcel page show them.
CALL_CELLS = {
    "en": ("Call task: Reached, satisfied", "customer told", "Call task: No answer"),
    "zh-hans": ("电话任务：已接通，满意", "已告知顾客", "电话任务：无人接听"),
}


@pytest.mark.parametrize("where", ["board", "parcel page"])
def test_a_delay_call_that_reached_the_customer_shows_told(client, where):
    store, parcels, logged_at = parcels_told_by_call()
    client.force_login(AgentFactory(stores=[store]).user)
    when = to_store_local(logged_at, store).strftime("%m-%d %H:%M")
    for language, (reached, told, no_answer) in CALL_CELLS.items():
        client.cookies["django_language"] = language
        if where == "board":
            board = client.get("/logistics/").text
            cells = [_told_cell(board, parcel) for parcel in parcels]
        else:
            cells = [_told_cell(client.get(f"/logistics/shipments/{p.pk}/").text, p) for p in parcels]
        assert f"{reached} · {told} {when}" in cells[0]
        assert no_answer in cells[1] and told not in cells[1]
        assert told not in cells[2]
