"""What a provider or an order system sent, kept as it came (the inbound log's payloads, telephony events, a courier's
checkpoints), shows a customer's number and name in the admin as the rest of the admin shows a number (ADR 0033):
masked for staff who may only look, whole for those who may change customers, and then audited as a reveal."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from callbacks.models import TelephonyEvent
from crm.models import AuditLog, InboundEvent
from crm.services.customers import PHONE_REVEALED
from logistics.models import Checkpoint, Shipment
from tests.factories import CustomerFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "+8613912345678"
WHOLE = ["13912345678", "139 1234 5678", "+86-139-1234-5678"]  # the ways the payloads below write it
MASKED = "139****5678"
NAME = "欧阳小明"


def _order_row(customer) -> InboundEvent:
    row = {
        "store": customer.store.code,
        "external_id": "T1001",
        "customer": {"external_id": customer.external_id, "name": NAME, "phone": "139 1234 5678"},
        "items": [{"sku": "S1", "name": "羊绒围巾", "quantity": 1, "unit_price": "899.00"}],
        "receiver_address": "杭州市西湖区文三路 88 号",
    }
    return InboundEvent.objects.create(kind="order", store=customer.store, external_id="T1001",
                                       received_at=timezone.now(), payload=json.dumps(row, ensure_ascii=False),
                                       payload_hash="h1")  # fmt: skip


def _inbound_sms(customer) -> TelephonyEvent:
    payload = {"MessageSid": "SM1", "From": NUMBER, "To": "+8657188886666",
               "Body": f"我是{NAME}，快递坏了，回电 +86-139-1234-5678"}  # fmt: skip
    return TelephonyEvent.objects.create(kind="inbound_sms", provider_id="SM1", payload=payload,
                                         received_at=timezone.now())  # fmt: skip


def _checkpoint(customer) -> Shipment:
    """A courier's push (Kuaidi100) saying who signed for the parcel, and the number to call."""
    signed = f"已签收，签收人：{NAME}，电话 13912345678"
    order = customer.orders.get()
    shipment = Shipment.objects.create(store=order.store, order=order, courier="shunfeng", tracking_number="SF1",
                                       shipped_at=timezone.now(), state="in_transit", last_event_at=timezone.now(),
                                       last_event_text=signed)  # fmt: skip
    Checkpoint.objects.create(shipment=shipment, at=timezone.now(), text=signed, location="杭州")
    return shipment


PAGES = {"inbound event": _order_row, "telephony event": _inbound_sms, "shipment": _checkpoint}


def _url(row) -> str:
    return f"/admin/{row._meta.app_label}/{row._meta.model_name}/{row.pk}/change/"


def _staff(row, *codenames: str) -> Client:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=[f"view_{row._meta.model_name}", *codenames]))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def _customer():
    customer = CustomerFactory(phone=NUMBER, name=NAME)
    OrderFactory(customer=customer)
    return customer


def _reveals() -> list[tuple[str, str, dict]]:
    return [(entry.actor.username, entry.target, entry.data)
            for entry in AuditLog.objects.filter(action=PHONE_REVEALED).order_by("id")]  # fmt: skip


@pytest.mark.parametrize("build", PAGES.values(), ids=PAGES.keys())
def test_a_payload_shows_the_customer_s_number_and_name_masked_to_staff_who_may_only_look(build):
    row = build(_customer())

    page = _staff(row).get(_url(row))

    text = page.content.decode()
    assert page.status_code == 200
    assert [whole for whole in [*WHOLE, NAME] if whole in text] == []
    assert MASKED in text and "欧***" in text
    assert _reveals() == []


def test_the_rest_of_an_order_system_s_payload_is_shown_as_it_came():
    row = _order_row(_customer())

    text = _staff(row).get(_url(row)).content.decode()

    assert "羊绒围巾" in text and "T1001" in text and "899.00" in text  # an item's name is a product's
    assert "文三路" not in text  # where the customer lives is theirs


@pytest.mark.parametrize("build", PAGES.values(), ids=PAGES.keys())
def test_a_payload_is_shown_whole_to_who_may_change_customers_and_each_view_is_a_reveal(
    admin_client, admin_user, build
):
    customer = _customer()
    row = build(customer)
    editor = _staff(row, "change_customer")

    for client in (editor, admin_client):
        text = client.get(_url(row)).content.decode()
        assert NAME in text and any(whole in text for whole in WHOLE)

    shown = {"customer_id": customer.pk, "admin_page": f"{row._meta.label_lower}:{row.pk}"}
    assert _reveals() == [(user.username, f"customer:{customer.pk}", shown) for user in (editor.user, admin_user)]


def test_a_payload_with_nothing_of_a_customer_s_is_no_reveal(admin_client):
    event = TelephonyEvent.objects.create(kind="call_status", provider_id="CA1", received_at=timezone.now(),
                                          payload={"CallSid": "CA1", "CallStatus": "completed"})  # fmt: skip

    assert "completed" in admin_client.get(_url(event)).content.decode()
    assert _reveals() == []


def test_what_an_order_system_sends_under_keys_nobody_listed_is_masked_to_staff_who_may_only_look():
    # Its own columns, passed on beside ours: a contact, a second number, the address, a memo (ADR 0041).
    customer = _customer()
    row = {
        "store": customer.store.code, "external_id": "T1002", "total_amount": "899.00",
        "customer": {"external_id": customer.external_id, "name": NAME, "phone": "139 1234 5678"},
        "items": [{"sku": "S1", "name": "羊绒围巾", "quantity": 1, "unit_price": "899.00"}],
        "联系人": "王大锤", "mobile": "139 1234 5679", "收货地址": "杭州市西湖区文三路 88 号 3 单元",
        "buyer_memo": "放门卫",
    }  # fmt: skip
    event = InboundEvent.objects.create(kind="order", store=customer.store, external_id="T1002",
                                        received_at=timezone.now(), payload=json.dumps(row, ensure_ascii=False),
                                        payload_hash="h2")  # fmt: skip

    text = _staff(event).get(_url(event)).content.decode()

    assert "羊绒围巾" in text and "T1002" in text and "899.00" in text
    assert [whole for whole in ("王大锤", "1234 5679", "文三路", "门卫") if whole in text] == []
