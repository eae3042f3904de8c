"""Customers' phone numbers in the admin are masked as the pages mask them for agents (crm.phones.mask_phone): in
every list, and on a change page to anyone who may not change customers."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from callbacks.models import FollowUp, NumberOptOut
from crm.models import AuditLog, Customer
from crm.phones import mask_phone
from crm.services.customers import PHONE_REVEALED
from logistics.models import ShipmentNotice
from retention.models import CampaignContact
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db


def _url(model, *parts) -> str:
    return "/".join([f"/admin/{model._meta.app_label}/{model._meta.model_name}", *map(str, parts)]) + "/"


def _numbers_on(page: str) -> set[str]:
    """The customers' numbers the page shows whole, in E.164 or as national digits."""
    phones = set(Customer.objects.exclude(phone="").values_list("phone", flat=True))
    return {phone for phone in phones if phone in page or phone.removeprefix("+86") in page}


def _staff(*codenames: str) -> Client:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def _with_recipient(model):
    """A row as its sender claimed it: the customer's number in `recipient`."""
    row = BUILDERS[model]()
    row.recipient = row.customer.phone
    row.save(update_fields=["recipient"])
    return row


def test_the_customer_list_shows_numbers_masked(admin_client):
    customer = CustomerFactory(phone="+8613812341234")

    page = admin_client.get(_url(Customer)).content.decode()

    assert "138****1234" in page
    assert _numbers_on(page) == set()
    assert customer.name in page


@pytest.mark.parametrize("model", [m for m, _a in admin.site._registry.items() if m in BUILDERS],
                         ids=lambda model: model.__name__)  # fmt: skip
def test_no_admin_list_shows_a_customer_s_whole_number(admin_client, model):
    for _ in range(2):
        _with_recipient(model) if hasattr(model, "recipient") else BUILDERS[model]()

    page = admin_client.get(_url(model)).content.decode()

    assert _numbers_on(page) == set()


PHONE_PAGES = [
    (Customer, lambda: BUILDERS[Customer](), "phone"),
    (FollowUp, lambda: _with_recipient(FollowUp), "recipient"),
    (CampaignContact, lambda: _with_recipient(CampaignContact), "recipient"),
    (ShipmentNotice, lambda: BUILDERS[ShipmentNotice](), "recipient"),
]
PAGE_IDS = ["customer", "followup", "campaigncontact", "shipmentnotice"]


@pytest.mark.parametrize(("model", "build", "field"), PHONE_PAGES, ids=PAGE_IDS)
def test_a_change_page_masks_the_number_for_staff_who_may_not_change_customers(model, build, field):
    row = build()
    number = getattr(row, field)
    viewer = _staff(f"view_{model._meta.model_name}")

    page = viewer.get(_url(model, row.pk, "change")).content.decode()

    assert mask_phone(number) in page
    assert number not in page and number.removeprefix("+86") not in page


@pytest.mark.parametrize(("model", "build", "field"), PHONE_PAGES, ids=PAGE_IDS)
def test_a_change_page_shows_the_whole_number_to_who_may_change_customers(admin_client, model, build, field):
    row = build()
    number = getattr(row, field)
    editor = _staff(f"view_{model._meta.model_name}", "change_customer")

    for client in (editor, admin_client):
        page = client.get(_url(model, row.pk, "change"))
        assert page.status_code == 200
        assert number in page.content.decode()


def _reveals() -> list[tuple[str, str, int | None, dict]]:
    return [(entry.actor.username, entry.target, entry.store_id, entry.data)
            for entry in AuditLog.objects.filter(action=PHONE_REVEALED).order_by("id")]  # fmt: skip


@pytest.mark.parametrize(("model", "build", "field"), PHONE_PAGES, ids=PAGE_IDS)
def test_each_view_of_a_change_page_that_shows_the_whole_number_is_audited_as_a_reveal(
    admin_client, admin_user, model, build, field
):
    row = build()
    customer = row if isinstance(row, Customer) else row.customer
    editor = _staff(f"view_{model._meta.model_name}", "change_customer")

    for client in (editor, admin_client, editor):
        assert client.get(_url(model, row.pk, "change")).status_code == 200

    shown = {"customer_id": customer.pk, "admin_page": f"{model._meta.label_lower}:{row.pk}"}
    assert _reveals() == [
        (user.username, f"customer:{customer.pk}", customer.store_id, shown)
        for user in (editor.user, admin_user, editor.user)
    ]


@pytest.mark.parametrize(("model", "build", "field"), PHONE_PAGES, ids=PAGE_IDS)
def test_a_change_page_that_shows_no_whole_number_is_not_audited(admin_client, model, build, field):
    masked, empty = build(), build()
    setattr(empty, field, "")
    empty.save(update_fields=[field])

    assert _staff(f"view_{model._meta.model_name}").get(_url(model, masked.pk, "change")).status_code == 200
    assert admin_client.get(_url(model, empty.pk, "change")).status_code == 200
    assert admin_client.get(_url(model)).status_code == 200  # the list: masked for everyone

    assert _reveals() == []


def test_a_stop_from_a_number_nobody_holds_opens_in_the_admin_and_its_view_is_a_reveal_of_the_page(
    admin_client, admin_user
):
    """A number Twilio's own opt-out keyword (or a 21610) kept from a store is recorded matched to nobody when no
    customer holds it (ADR 0049): its change page shows the whole number, so each view is one reveal of the page."""
    store = StoreFactory()
    row = NumberOptOut.objects.create(store=store, phone="+8613899990000", customer=None, opted_out=True,
                                      changed_at=timezone.now())  # fmt: skip

    page = admin_client.get(_url(NumberOptOut, row.pk, "change"))

    assert page.status_code == 200
    assert "+8613899990000" in page.content.decode()
    page_name = f"callbacks.numberoptout:{row.pk}"
    assert _reveals() == [(admin_user.username, page_name, None, {"admin_page": page_name})]
