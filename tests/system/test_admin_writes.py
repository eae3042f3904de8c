"""What the admin may write: records of what happened are never added, changed or deleted there, and the state the
services move under their rules (statuses, a customer's contact wishes, what a letter says) is shown, not edited:
the admin's save would skip the service's locks, audit entry and signal (ADR 0030)."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from callbacks.models import Call, CallAttempt, CaseCall, ContactLog, FollowUp, NumberOptOut, TelephonyEvent
from crm.models import (
    AuditLog,
    Case,
    CaseEvidence,
    CaseStep,
    Customer,
    CustomerChange,
    InboundEvent,
    Order,
    WorkerHeartbeat,
)
from letters.models import Letter, PrintBatch
from logistics.models import Shipment, ShipmentDelay, ShipmentNotice
from retention.models import Campaign, CampaignContact, GiftTask, Segment
from reviews.models import CauseCorrection, PlatformComplaint, Review, ReviewReply
from tests.factories import AgentFactory, FollowUpFactory
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db

RECORDS = [
    AuditLog, CustomerChange, InboundEvent, WorkerHeartbeat, TelephonyEvent, ContactLog, CallAttempt, Call,
    CauseCorrection, ShipmentDelay, NumberOptOut,
]  # fmt: skip

# Each model whose rows the services write, with a field one of them guards, and whether the admin may delete a row
# (data an order system sent; the rows that hang on it still protect it).
GUARDED = [
    (Case, "status", False),
    (CaseStep, "step", False),
    (CaseEvidence, "url", False),
    (Customer, "contact_preference", True),
    (Customer, "sms_opt_out", True),
    (Customer, "phone", True),
    (Customer, "marketing_consent_source", True),
    (Order, "status", True),
    (FollowUp, "status", False),
    (CaseCall, "status", False),
    (Review, "rating", True),
    (ReviewReply, "status", False),
    (PlatformComplaint, "outcome", False),
    (Segment, "rules", False),
    (Campaign, "status", False),
    (CampaignContact, "status", False),
    (GiftTask, "status", False),
    (Letter, "status", False),
    (Letter, "text", False),
    (PrintBatch, "printed_at", False),
    (Shipment, "state", False),
    (ShipmentNotice, "status", False),
]


def _url(model, *parts) -> str:
    return "/".join([f"/admin/{model._meta.app_label}/{model._meta.model_name}", *map(str, parts)]) + "/"


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_a_record_is_never_added_changed_or_deleted_in_the_admin(admin_client, model):
    row = BUILDERS[model]()

    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.post(_url(model, row.pk, "change"), {}).status_code == 403
    assert admin_client.post(_url(model, row.pk, "delete"), {"post": "yes"}).status_code == 403
    admin_client.post(_url(model), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})

    assert model.objects.filter(pk=row.pk).exists()
    assert admin_client.get(_url(model, row.pk, "change")).status_code == 200  # still shown


@pytest.mark.parametrize(("model", "field", "deletable"), GUARDED, ids=lambda v: getattr(v, "__name__", str(v)))
def test_what_a_service_guards_is_shown_not_written_in_the_admin(model, field, deletable):
    row = BUILDERS[model]()
    model_admin = admin.site._registry[model]
    request = _superuser_request()

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row) or field in model_admin.get_readonly_fields(request, row)
    assert model_admin.has_delete_permission(request, row) is deletable
    for inline in model_admin.get_inline_instances(request, row):
        assert not inline.has_add_permission(request, row)
        assert not inline.has_change_permission(request, row)
        assert not inline.has_delete_permission(request, row)


def test_a_case_s_status_cannot_be_posted_in_the_admin(admin_client):
    case = BUILDERS[Case]()

    answer = admin_client.post(_url(Case, case.pk, "change"), {"status": "closed", "root_cause": "x"})

    assert answer.status_code == 403
    case.refresh_from_db()
    assert case.status == "open"
    page = admin_client.get(_url(Case, case.pk, "change")).content.decode()
    assert f'href="/cases/{case.pk}/"' in page  # "View on site": the case page, where a case is closed


def test_a_customer_s_wishes_are_changed_on_their_page_not_in_the_admin(admin_client):
    # Marked do not contact in the admin, the customer kept their planned call in the agents' queue: the admin's
    # save sent no profile-change signal, so nothing took the call back, and no history row said who changed it.
    followup = FollowUpFactory()
    customer = followup.customer
    owner = AgentFactory(stores=[customer.store])
    form = {
        "store": customer.store_id, "external_id": customer.external_id, "name": customer.name,
        "phone": customer.phone, "gender": "unknown", "region": "", "personality_type": "", "interests": "[]",
        "notes": "", "contact_preference": "do_not_contact", "sms_opt_out": "on", "marketing_consent_at_0": "",
        "marketing_consent_at_1": "", "marketing_consent_source": "", "vip_tier": 0, "dedicated_owner": owner.pk,
    }  # fmt: skip

    answer = admin_client.post(_url(Customer, customer.pk, "change"), form)

    assert answer.status_code == 302
    customer.refresh_from_db()
    assert (customer.contact_preference, customer.sms_opt_out) == ("any", False)
    assert customer.dedicated_owner == owner  # no rule guards who owns the customer
    followup.refresh_from_db()
    assert followup.status == "planned"
    page = admin_client.get(_url(Customer, customer.pk, "change")).content.decode()
    assert f"/customers/{customer.pk}/" in page  # where the profile is edited
