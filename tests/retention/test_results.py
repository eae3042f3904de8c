"""Results: a repeat order carrying the campaign's coupon, pushed by the order API, is attributed and redeemed."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.telephony.memory import InMemoryBackend
from crm.models import Order
from crm.services.api_tokens import api_token_create
from retention.models import CampaignContact, Coupon
from retention.results import campaign_results
from retention.services.campaigns import campaign_start
from tests.factories import FollowUpFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


def test_a_repeat_order_with_the_campaigns_coupon_is_attributed():
    store = open_store()
    customer = customer_with_orders(store, [90], amount="800.00")
    campaign = campaign_for(
        store, everyone(store), offer_kind="coupon_pool", coupon_codes=("SPRING-01", "SPRING-02"),
        wordings=["{name}您好，送您{offer}优惠券{coupon}"],
    )  # fmt: skip
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)
    code = CampaignContact.objects.get(campaign=campaign, customer=customer).coupon_code
    [message] = InMemoryBackend.messages
    assert code in message.body

    _token, key = api_token_create(store_codes=[store.code], name="shop")
    order = {
        "external_id": "REPEAT-1",
        "customer": {"external_id": customer.external_id, "name": customer.name, "phone": customer.phone},
        "total_amount": "650.00",
        "items": [{"sku": "SKU-1", "name": "围巾", "quantity": 1, "unit_price": "650.00"}],
        "placed_at": timezone.now().isoformat(),
        "coupon_code": code,
    }
    answer = Client().post("/api/v1/orders", order, content_type="application/json",
                           headers={"Authorization": f"Token {key}"})  # fmt: skip
    assert answer.status_code in (200, 201), answer.content
    assert Order.objects.get(external_id="REPEAT-1").coupon_code == code
    # Redeemed as the order came in, not when someone opens the campaign page.
    assert Coupon.objects.get(code=code).redeemed_order.external_id == "REPEAT-1"
    resent = Client().post("/api/v1/orders", order, content_type="application/json",
                           headers={"Authorization": f"Token {key}"})  # fmt: skip
    assert resent.status_code == 200, resent.content

    results = campaign_results(campaign=campaign)
    assert (results.contacted, results.attributed_orders, results.coupons_redeemed, results.converted) == (1, 1, 1, 1)
    assert results.attributed_revenue == {"CNY": 650}

    later = {**order, "external_id": "REPEAT-2"}
    Client().post("/api/v1/orders", later, content_type="application/json", headers={"Authorization": f"Token {key}"})
    assert Coupon.objects.get(code=code).redeemed_order.external_id == "REPEAT-1"  # the first order keeps it


def test_the_revenue_a_campaign_brought_is_kept_per_currency_never_added_up():
    # A Berlin store's campaign page said "2 (739.00)": 89 euros and 650 yuan added up, with no currency at all.
    from datetime import timedelta
    from decimal import Decimal

    from tests.factories import ManagerFactory, OrderFactory

    store = open_store(currency="EUR")
    customers = [customer_with_orders(store, [90]) for _ in range(2)]
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)
    soon = timezone.now() + timedelta(minutes=1)
    for customer, amount, currency in ((customers[0], "89.00", "EUR"), (customers[1], "650.00", "CNY")):
        OrderFactory(customer=customer, total_amount=Decimal(amount), currency=currency, placed_at=soon)

    results = campaign_results(campaign=campaign)
    assert results.attributed_orders == 2
    assert results.attributed_revenue == {"EUR": Decimal("89.00"), "CNY": Decimal("650.00")}
    client = Client()
    client.force_login(ManagerFactory(stores=[store]).user)
    page = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
    attributed = page.split('data-testid="attributed">')[1].split("</td>")[0]
    assert attributed == "2 (€89.00 · ¥650.00)"


def test_the_control_groups_cancelled_and_returned_orders_are_no_repeat_purchase():
    # The contacted customers' rate left out cancelled and returned orders, the control group's counted them: one
    # group's refunds were the other's purchases, and the lift came out lower than it was.
    from datetime import timedelta

    from tests.factories import OrderFactory

    store = open_store()
    customers = [customer_with_orders(store, [90]) for _ in range(20)]
    campaign = campaign_for(store, everyone(store), control_percent=50)
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)
    soon = timezone.now() + timedelta(minutes=1)
    for customer in customers:
        for status in (Order.Status.CANCELLED, Order.Status.RETURNED):
            OrderFactory(customer=customer, status=status, placed_at=soon)
    control = list(CampaignContact.objects.filter(campaign=campaign, status="control").order_by("pk"))
    contacted = CampaignContact.objects.filter(campaign=campaign, status="sent").count()
    assert control and contacted
    campaign.refresh_from_db()

    results = campaign_results(campaign=campaign)
    assert (results.contacted, results.control) == (contacted, len(control))
    assert (results.converted, results.control_converted, results.attributed_orders) == (0, 0, 0)
    assert results.lift_points == 0.0

    OrderFactory(customer=control[0].customer, status=Order.Status.DELIVERED, placed_at=soon, delivered_at=soon)
    results = campaign_results(campaign=campaign)
    assert (results.converted, results.control_converted) == (0, 1)


def test_a_reply_counts_however_the_gateway_wrote_the_number_and_from_the_number_the_sms_went_to():
    # Replies were counted by the sender exactly as it came, against the customers' phones now: a gateway writing
    # 0086 and spaces was nobody, and a customer whose phone the order system changed after the SMS answered from
    # the number it went to and was nobody either (ADR 0049).
    from callbacks.services.inbound import inbound_sms_receive

    store = open_store()
    written_oddly = customer_with_orders(store, [90], phone="+8613800000101")
    moved = customer_with_orders(store, [90], phone="+8613800000102")
    silent = customer_with_orders(store, [90], phone="+8613800000103")
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)
    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() == 3
    moved.phone = "+8613800000199"
    moved.save(update_fields=["phone"])

    inbound_sms_receive(payload={"From": "0086 138 0000 0101", "Body": "谢谢", "MessageSid": "SMreply1"})
    inbound_sms_receive(payload={"From": "0086 138 0000 0101", "Body": "谢谢", "MessageSid": "SMreply1"})  # again
    inbound_sms_receive(payload={"From": "+8613800000102", "Body": "好的", "MessageSid": "SMreply2"})
    assert silent.phone not in {written_oddly.phone, "+8613800000102"}
    campaign.refresh_from_db()

    assert campaign_results(campaign=campaign).replied == 2


def test_a_reply_counts_for_the_campaign_only_between_its_message_and_the_stores_next_one_to_the_number():
    """A reply is an answer to the store's last message to the number (as the inbound SMS attributes it, ADR 0049): a
    text from the customer before the campaign's message reached them, or after a care SMS the store sent them since,
    is no reply to the campaign. Every inbound SMS from the number since the campaign's start counted."""
    from callbacks.services.inbound import inbound_sms_receive

    store = open_store()
    early = customer_with_orders(store, [90], phone="+8613800000201")
    cared_for = customer_with_orders(store, [90], phone="+8613800000202")
    answered = customer_with_orders(store, [90], phone="+8613800000203")
    start = timezone.now()
    text = {"From": early.phone, "Body": "在吗？", "MessageSid": "SMearly"}
    campaign = _sent_between_an_early_text_and_a_care_sms(
        store, early, cared_for, start=start, early_text=lambda: inbound_sms_receive(payload=text)
    )
    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() == 3
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        inbound_sms_receive(payload={"From": "0086 138 0000 0202", "Body": "收到了，谢谢", "MessageSid": "SMcare"})
        inbound_sms_receive(payload={"From": "0086 138 0000 0203", "Body": "好的", "MessageSid": "SMcampaign"})
    assert answered.phone == "+8613800000203"  # the gateway wrote it 0086 and spaces: the same number

    campaign.refresh_from_db()

    assert campaign_results(campaign=campaign).replied == 1


def _sent_between_an_early_text_and_a_care_sms(store, early, cared_for, *, start, early_text):
    """A campaign to the store's customers, started at `start`: `early` texts the store a minute before its messages go
    out (`early_text` sends it), and a care SMS to `cared_for` follows them a minute after."""
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        early_text()  # before the campaign's message reached them
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        sms_dispatch_due(time_budget=5)
    FollowUpFactory(  # the care SMS of a delivery since, as the sweeper leaves it
        order__customer=cared_for,
        channel=FollowUp.Channel.SMS,
        status=FollowUp.Status.SENT,
        recipient=cared_for.phone,
        sent_at=start + timedelta(minutes=3),
        window_start=start,
    )
    return campaign


def _reply(client, sender: str, body: str, sid: str):
    """The customer's SMS as Twilio posts it to the inbound webhook, signed."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    path = "/twilio/sms/inbound"
    params = {"From": sender, "To": "", "Body": body, "MessageSid": sid}
    signature = RequestValidator("webhook-token").compute_signature(f"https://crm.example.com{path}", params)
    response = client.post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded",
        headers={"x-twilio-signature": signature},
    )  # fmt: skip
    assert response.status_code < 300, response.content


def test_a_contacts_reply_is_recorded_when_it_arrives_and_the_campaign_shows_who_replied_and_when(settings):
    """The contact's reply time (replied_at) is written in the reply's transaction, by the rule the Replied figure
    counts: a text from the number the message went to, after it, before the store's next message to the number. The
    campaign page lists who replied and when, in the store's time; the customer's page says so on the campaign row."""
    from datetime import UTC

    from tests.factories import ManagerFactory

    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "webhook-token", "https://crm.example.com"
    store = open_store(name="丝韵旗舰店")
    early = customer_with_orders(store, [90], phone="+8613800000301", name="早早")
    cared_for = customer_with_orders(store, [90], phone="+8613800000302", name="关怀")
    answered = customer_with_orders(store, [90], phone="+8613800000303", name="回复者")
    start = timezone.now().replace(second=0, microsecond=0)
    webhook = Client()
    campaign = _sent_between_an_early_text_and_a_care_sms(
        store, early, cared_for, start=start, early_text=lambda: _reply(webhook, early.phone, "在吗？", "SMearly")
    )
    replied_at = start + timedelta(minutes=4)
    with time_machine.travel(replied_at, tick=False):
        _reply(webhook, "0086 138 0000 0302", "收到了，谢谢", "SMcare")  # an answer to the care SMS
        _reply(webhook, "0086 138 0000 0303", "好的", "SMcampaign")
    with time_machine.travel(replied_at + timedelta(minutes=5), tick=False):
        _reply(webhook, answered.phone, "什么时候能用券？", "SMagain")  # a second reply: the first stays

    contacts = {c.customer_id: c.replied_at for c in CampaignContact.objects.filter(campaign=campaign)}
    assert contacts == {early.pk: None, cared_for.pk: None, answered.pk: replied_at.astimezone(UTC)}
    assert campaign_results(campaign=campaign).replied == 1

    manager = Client()
    manager.force_login(ManagerFactory(stores=[store]).user)
    page = manager.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
    replies = page[page.index('data-testid="replies"') :]
    replies = replies[: replies.index("</table>")]
    assert "回复者" in replies and "早早" not in replies and "关怀" not in replies
    assert timezone.localtime(replied_at, _zone(store)).strftime("%m-%d %H:%M") in replies
    customer_page = manager.get(f"/customers/{answered.pk}/").text
    section = customer_page[customer_page.index('data-testid="campaign-contacts"') :]
    assert 'data-testid="replied"' in section[: section.index("</table>")]


def _zone(store):
    from zoneinfo import ZoneInfo

    return ZoneInfo(store.timezone)


def test_the_migration_records_the_replies_that_came_before_once_its_migrate_run_is_over():
    """Nothing wrote replied_at before retention listened to the inbound SMS: the replies already in the inbound log are
    recorded by the same rule once the `migrate` that applied retention 0010 is over (a repeated delivery is one reply,
    at its first arrival), and a later migrate changes nothing."""
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.core.management.sql import emit_post_migrate_signal

    from callbacks.services.inbound import inbound_sms_receive

    migration = import_module("retention.migrations.0010_campaign_replies_recorded_before")
    store = open_store()
    early = customer_with_orders(store, [90], phone="+8613800000401")
    answered = customer_with_orders(store, [90], phone="+8613800000402")
    start = timezone.now().replace(second=0, microsecond=0)
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        inbound_sms_receive(payload={"From": early.phone, "Body": "在吗？", "MessageSid": "SMearly"})
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        sms_dispatch_due(time_budget=5)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        inbound_sms_receive(payload={"From": "0086 138 0000 0402", "Body": "好的", "MessageSid": "SMok"})
    with time_machine.travel(start + timedelta(minutes=4), tick=False):  # Twilio delivers the early one again
        inbound_sms_receive(payload={"From": early.phone, "Body": "在吗？", "MessageSid": "SMearly"})
    recorded = dict(CampaignContact.objects.filter(campaign=campaign).values_list("customer_id", "replied_at"))
    assert recorded == {early.pk: None, answered.pk: start + timedelta(minutes=3)}
    CampaignContact.objects.update(replied_at=None)  # as the replies were left before

    migration.record_replies_after_migrate(django_apps, None)
    assert not CampaignContact.objects.filter(replied_at__isnull=False).exists()  # not during the migrations
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert dict(CampaignContact.objects.filter(campaign=campaign).values_list("customer_id", "replied_at")) == recorded
    assert campaign_results(campaign=campaign).replied == 1

    CampaignContact.objects.update(replied_at=None)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # a later migrate: not again
    assert not CampaignContact.objects.filter(replied_at__isnull=False).exists()


def test_an_opt_out_or_opt_in_word_is_no_reply_to_the_campaign_and_a_question_after_it_is(settings):
    """A customer who texted STOP (or 退订, a sentence asking for it, the word the store's wording names) asked for no
    more messages: they count under Opted out, not under Replied, and are not listed under Who replied; START is no
    answer either. A question after the STOP, still before the store's next message to the number, is their reply."""
    from tests.factories import ManagerFactory

    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = "webhook-token", "https://crm.example.com"
    store = open_store()
    policy = store.followup_policy
    policy.sms_opt_out_zh = "回复N拒收"
    policy.save(update_fields=["sms_opt_out_zh"])
    stop = customer_with_orders(store, [90], phone="+8613800000501", name="停停")
    unsubscribe = customer_with_orders(store, [90], phone="+8613800000502", name="退退")
    asks = customer_with_orders(store, [90], phone="+8613800000503", name="请求")
    named = customer_with_orders(store, [90], phone="+8613800000504", name="拒收")
    start_word = customer_with_orders(store, [90], phone="+8613800000505", name="开开")
    then_asked = customer_with_orders(store, [90], phone="+8613800000506", name="后问")
    start = timezone.now().replace(second=0, microsecond=0)
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        sms_dispatch_due(time_budget=5)
    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() == 6
    webhook = Client()
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        _reply(webhook, stop.phone, "STOP", "SMstop")
        _reply(webhook, unsubscribe.phone, "退订", "SMtd")
        _reply(webhook, asks.phone, "请不要再发了", "SMask")
        _reply(webhook, named.phone, "n", "SMn")
        _reply(webhook, start_word.phone, "START", "SMstart")
        _reply(webhook, then_asked.phone, "ＳＴＯＰ", "SMstop2")
    asked_at = start + timedelta(minutes=3)
    with time_machine.travel(asked_at, tick=False):
        _reply(webhook, then_asked.phone, "刚才发错了，券怎么用？", "SMquestion")

    replied = dict(CampaignContact.objects.filter(campaign=campaign).exclude(replied_at=None).values_list(
        "customer_id", "replied_at"
    ))  # fmt: skip
    assert replied == {then_asked.pk: asked_at}
    results = campaign_results(campaign=campaign)
    assert (results.replied, results.opted_out) == (1, 5)
    manager = Client()
    manager.force_login(ManagerFactory(stores=[store]).user)
    page = manager.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
    replies = page[page.index('data-testid="replies"') :]
    replies = replies[: replies.index("</table>")]
    assert replies.count('data-testid="reply"') == 1 and "后问" in replies


def test_the_migration_takes_back_the_opt_outs_recorded_as_replies_once_its_migrate_run_is_over():
    """Before opt-out words were left out, a STOP was recorded as the contact's reply (retention 0010, and as it came):
    once the `migrate` that applied retention 0011 is over, it is taken back, and a question the customer sent after it
    is their reply instead; a real reply is kept, and a later migrate changes nothing."""
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.core.management.sql import emit_post_migrate_signal

    from callbacks.services.inbound import inbound_sms_receive

    migration = import_module("retention.migrations.0011_campaign_replies_without_opt_words")
    store = open_store()
    stopped = customer_with_orders(store, [90], phone="+8613800000601")
    then_asked = customer_with_orders(store, [90], phone="+8613800000602")
    answered = customer_with_orders(store, [90], phone="+8613800000603")
    start = timezone.now().replace(second=0, microsecond=0)
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        sms_dispatch_due(time_budget=5)
    stopped_at, asked_at = start + timedelta(minutes=2), start + timedelta(minutes=3)
    with time_machine.travel(stopped_at, tick=False):
        inbound_sms_receive(payload={"From": stopped.phone, "Body": "退订", "MessageSid": "SMtd"})
        inbound_sms_receive(payload={"From": "0086 138 0000 0602", "Body": "stop", "MessageSid": "SMstop"})
        inbound_sms_receive(payload={"From": answered.phone, "Body": "好的", "MessageSid": "SMok"})
    with time_machine.travel(asked_at, tick=False):
        inbound_sms_receive(payload={"From": then_asked.phone, "Body": "券怎么用？", "MessageSid": "SMquestion"})
    # As they were recorded before: each contact's first SMS after the message, the opt-outs included.
    CampaignContact.objects.filter(campaign=campaign).update(replied_at=stopped_at)

    migration.forget_opt_words_after_migrate(django_apps, None)
    assert CampaignContact.objects.filter(replied_at=stopped_at).count() == 3  # not during the migrations
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    expected = {stopped.pk: None, then_asked.pk: asked_at, answered.pk: stopped_at}
    assert dict(CampaignContact.objects.filter(campaign=campaign).values_list("customer_id", "replied_at")) == expected
    assert campaign_results(campaign=campaign).replied == 2

    CampaignContact.objects.filter(customer=stopped).update(replied_at=stopped_at)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # a later migrate: not again
    assert CampaignContact.objects.get(customer=stopped).replied_at == stopped_at
