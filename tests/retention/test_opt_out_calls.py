"""A customer who replies 退订 / TD / STOP (or the word the store's own wording names) is marketed to no more, on any
channel: their SMS stopped, but their return-visit calls (marketing, ADR 0024) still rang. The gate now refuses a
marketing call to an opted-out customer, and the reply withdraws the return visits already waiting for them, in its
transaction; care contacts (an evening care call, a parcel's call) still go out, and START lifts it again."""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.calls import call_decide
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.inbound import inbound_sms_receive
from callbacks.services.policy import policy_update
from callbacks.services.tasks_calls import call_task_create
from crm.services.order_delivery import orders_mark_delivered
from crm.timezones import store_today
from retention.models import CampaignContact
from retention.results import campaign_results
from retention.services.campaigns import campaign_start
from retention.services.visits import campaign_call_tasks_create
from tests.factories import AgentFactory, FollowUpFactory, ManagerFactory, OrderFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db

_sids = iter(range(1, 1000))


@pytest.fixture
def store():
    return open_store(name="丝韵旗舰店")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store], on_shift=True)


def _reply(customer, body: str) -> None:
    inbound_sms_receive(payload={"From": customer.phone, "Body": body, "MessageSid": f"SMreply{next(_sids)}"})


def _call_campaign(store, segment=None, **overrides):
    campaign = campaign_for(store, segment or everyone(store), channel="call", **overrides)
    campaign_start(campaign=campaign)
    return campaign


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queue(client) -> str:
    page = client.get("/calls/", headers={"Accept-Language": "en"}).text
    return page[page.index('data-testid="queue"') :]


def test_an_opt_out_reply_withdraws_the_waiting_return_visit_and_leaves_the_care_calls(store, agent):
    customer = customer_with_orders(store, [30], name="林小姐")
    campaign = _call_campaign(store)
    campaign_call_tasks_create()
    visit = FollowUp.objects.get(purpose="return_visit")
    # The same customer's service contacts: tonight's care call about another delivery, and a late parcel's call.
    care = FollowUpFactory(order=OrderFactory(customer=customer), assignee=agent)
    parcel = call_task_create(
        order=OrderFactory(customer=customer),
        customer=customer,
        purpose="logistics",
        due_on=store_today(store),
        note="包裹延误",
        assignee=agent,
    )
    client = _logged_in(agent.user)
    assert all(f"/calls/{task.pk}/" in _queue(client) for task in (visit, care, parcel))

    _reply(customer, "退订")

    for task in (visit, care, parcel):
        task.refresh_from_db()
    assert (visit.status, visit.suppressed_reason) == ("suppressed", "marketing_opt_out")
    assert (care.status, parcel.status) == ("planned", "planned")
    queue = _queue(client)
    assert f"/calls/{visit.pk}/" not in queue
    assert f"/calls/{care.pk}/" in queue and f"/calls/{parcel.pk}/" in queue
    assert call_decide(subject=care) and call_decide(subject=parcel)
    panel = client.get(f"/calls/{visit.pk}/", headers={"Accept-Language": "en"}).text
    assert 'data-reason="marketing_opt_out"' in panel and 'data-testid="call"' not in panel
    # The campaign's row is taken back with the reason, and its page lists the call with it.
    row = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (row.status, row.excluded_reason) == ("suppressed", "marketing_opt_out")
    assert campaign_results(campaign=campaign).exclusions == {"marketing_opt_out": 1}
    manager = _logged_in(ManagerFactory(stores=[store]).user)
    page = manager.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/", headers={"Accept-Language": "en"}).text
    calls = page[page.index('data-testid="visit-calls"') :]
    # Said as what it is: a call withdrawn, not an SMS (the boards read "Customer opted out of SMS").
    assert "林小姐" in calls and 'data-reason="marketing_opt_out"' in calls
    assert "Customer opted out of marketing calls" in calls and "opted out of SMS" not in calls
    page = manager.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/", headers={"Accept-Language": "zh-hans"}).text
    assert "顾客已退订，不接营销电话" in page[page.index('data-testid="visit-calls"') :]


def test_the_word_the_stores_own_wording_names_withdraws_the_return_visit_too(store, agent):
    policy_update(store=store, actor=None, changes={"sms_opt_out_zh": "拒收请回复N"})
    customer = customer_with_orders(store, [30])
    _call_campaign(store)
    campaign_call_tasks_create()

    _reply(customer, "n")

    visit = FollowUp.objects.get(purpose="return_visit")
    assert (visit.status, visit.suppressed_reason) == ("suppressed", "marketing_opt_out")


def test_the_gate_refuses_a_marketing_call_to_an_opted_out_customer_until_they_reply_start(store, agent):
    customer = customer_with_orders(store, [30])
    _reply(customer, "TD")

    # A call campaign started now leaves them out, with the reason.
    first = _call_campaign(store, name="第一波")
    row = CampaignContact.objects.get(campaign=first, customer=customer)
    assert (row.status, row.excluded_reason) == ("suppressed", "marketing_opt_out")

    _reply(customer, "START")

    second = _call_campaign(store, first.segment, name="第二波")
    campaign_call_tasks_create()
    visit = CampaignContact.objects.get(campaign=second, customer=customer).call_task
    assert visit.status == "planned" and call_decide(subject=visit)


def test_a_return_visit_due_later_is_refused_by_the_gate_when_it_falls_due(store, agent):
    # The row had no call task yet when the customer opted out: the sweep asks the gate then.
    customer = customer_with_orders(store, [30])
    campaign = _call_campaign(store, starts_at=timezone.now() + timedelta(hours=1))
    _reply(customer, "STOP")

    report = campaign_call_tasks_create(now=timezone.now() + timedelta(hours=1, minutes=1))

    row = CampaignContact.objects.get(campaign=campaign, customer=customer)
    assert (report.created, row.status, row.excluded_reason) == (0, "suppressed", "marketing_opt_out")
    assert row.call_task.status == "suppressed"


def test_a_number_the_carrier_reports_unsubscribed_loses_its_return_visit_too(store, agent, twilio_backend):
    # Twilio refuses an SMS to a number that sent STOP to the carrier (21610): the same opt-out, recorded by dispatch.
    customer = customer_with_orders(store, [30])
    _call_campaign(store)
    campaign_call_tasks_create()
    orders_mark_delivered(
        deliveries=[(OrderFactory(customer=customer, total_amount=Decimal("500.00")), timezone.now())]
    )
    twilio_backend.configure(opted_out=[customer.phone])

    sms_dispatch_due()

    customer.refresh_from_db()
    visit = FollowUp.objects.get(purpose="return_visit")
    assert customer.sms_opt_out is True
    assert (visit.status, visit.suppressed_reason) == ("suppressed", "marketing_opt_out")


def test_return_visits_withdrawn_before_the_reason_existed_are_told_apart_by_the_migrations(store, agent):
    # Stored before `marketing_opt_out`: a return visit withdrawn, and its campaign row, read "opted out of SMS". A
    # call can only have been refused for the opt-out as marketing; an SMS (a care SMS, a campaign message) keeps it.
    customer = customer_with_orders(store, [30])
    calls = _call_campaign(store, name="电话回访")
    texts = campaign_for(store, calls.segment, name="短信回访")
    campaign_start(campaign=texts)
    campaign_call_tasks_create()
    visit = FollowUp.objects.get(purpose="return_visit")
    care_sms = FollowUpFactory(order=OrderFactory(customer=customer), channel="sms")
    FollowUp.objects.filter(pk__in=[visit.pk, care_sms.pk]).update(status="suppressed", suppressed_reason="sms_opt_out")
    CampaignContact.objects.filter(customer=customer).update(status="suppressed", excluded_reason="sms_opt_out")

    callbacks_step = import_module("callbacks.migrations.0010_marketing_opt_out")
    retention_step = import_module("retention.migrations.0008_marketing_opt_out")
    callbacks_step.calls_refused_as_marketing(django_apps, None)
    retention_step.call_rows_refused_as_marketing(django_apps, None)

    reasons = dict(FollowUp.objects.values_list("pk", "suppressed_reason"))
    assert (reasons[visit.pk], reasons[care_sms.pk]) == ("marketing_opt_out", "sms_opt_out")
    rows = dict(CampaignContact.objects.values_list("campaign_id", "excluded_reason"))
    assert rows == {calls.pk: "marketing_opt_out", texts.pk: "sms_opt_out"}
