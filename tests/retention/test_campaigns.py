import uuid
from datetime import time, timedelta

import pytest
from django.utils import timezone

from callbacks.services.dispatch import sms_dispatch_due
from callbacks.services.inbound import inbound_sms_receive
from callbacks.telephony.memory import InMemoryBackend
from crm.errors import DomainError, InvalidInput
from crm.models import Case
from retention.errors import (
    CampaignTestLimitReached,
    CampaignTestRecipientOptedOut,
    CampaignTestRecipientRefused,
    CouponPoolExhausted,
    SegmentEmpty,
)
from retention.models import Campaign, CampaignContact, Coupon
from retention.services.campaigns import campaign_start, campaign_test_send
from retention.services.plan import OPEN_CASE, campaign_plan
from retention.services.segments import segment_create
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, ReviewFactory

from .conftest import customer_with_orders
from .helpers import campaign_for, everyone, open_store

pytestmark = pytest.mark.django_db


def _sent_to(phone):
    return [m for m in InMemoryBackend.messages if m.to == phone]


def test_customer_with_an_open_case_is_excluded_with_its_reason():
    store = open_store()
    happy = customer_with_orders(store, [30])
    unhappy = customer_with_orders(store, [30])
    Case.objects.create(store=store, customer=unhappy, source=Case.Source.MANUAL, opened_at=timezone.now())
    campaign = campaign_for(store, everyone(store))

    plan = campaign_plan(campaign=campaign)

    assert plan.contact == [happy.pk]
    assert plan.excluded == {unhappy.pk: OPEN_CASE}
    campaign_start(campaign=campaign)
    row = CampaignContact.objects.get(campaign=campaign, customer=unhappy)
    assert (row.status, row.excluded_reason) == ("suppressed", OPEN_CASE)


def test_bad_review_in_the_last_30_days_excludes():
    store = open_store()
    critic = customer_with_orders(store, [30])
    ReviewFactory(store=store, customer=critic, rating=1, posted_at=timezone.now() - timedelta(days=3))
    plan = campaign_plan(campaign=campaign_for(store, everyone(store)))
    assert plan.excluded == {critic.pk: "bad_review_30d"}


def test_opt_out_wording_appears_exactly_once_even_when_the_template_has_it():
    store = open_store()
    customer = customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), wordings=["{name}您好，{offer}等您来。回T退订"])
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)
    [message] = _sent_to(customer.phone)
    assert message.body.count("回T退订") == 1 and message.body.endswith("回T退订")
    assert "满300减50元" in message.body


def test_each_customer_gets_one_message_per_campaign_and_wordings_vary():
    store = open_store()
    customers = [customer_with_orders(store, [30]) for _ in range(12)]
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    sms_dispatch_due(time_budget=5)
    sms_dispatch_due(time_budget=5)
    assert sorted(m.to for m in InMemoryBackend.messages) == sorted(c.phone for c in customers)
    assert len({m.body.split("，")[1][:4] for m in InMemoryBackend.messages}) == 2  # both wordings in use
    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() == 12


def test_control_group_is_held_back_and_not_messaged():
    store = open_store()
    for _ in range(40):
        customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store), control_percent=50)
    plan = campaign_start(campaign=campaign)
    assert 5 < len(plan.control) < 35
    sms_dispatch_due(time_budget=5)
    assert len(InMemoryBackend.messages) == len(plan.contact)


def test_bad_input_is_refused_and_nothing_is_written():
    store = open_store()
    customer_with_orders(store, [30])
    segment = everyone(store)
    now = timezone.now()
    cases = [
        ({"wordings": ["{name}，{coupon}"]}, "wordings.0"),  # no pool fills {coupon}
        ({"wordings": ["{nmae}您好"]}, "wordings.0"),
        ({"wordings": ["{name:d}您好"]}, "wordings.0"),  # fails when filled: the sending would stop on it
        ({"wordings": ["{name!r:>99999999}您好"]}, "wordings.0"),  # a 100-million-character message
        ({"wordings": ["  "]}, "wordings"),
        ({"wordings": ["{name}您好", "给五星好评返现10元"]}, "wordings.1"),  # 好评返现: marketplaces forbid it
        ({"ends_at": now - timedelta(days=1)}, "ends_at"),
        ({"send_from": time(7, 0)}, "send_from"),  # the store's SMS hours start at 09:00
        ({"send_until": time(22, 30)}, "send_from"),
    ]
    for overrides, field in cases:
        with pytest.raises(InvalidInput) as refused:
            campaign_for(store, segment, **overrides)
        assert refused.value.field == field, overrides
    empty = segment_create(store=store, name="nobody", rules=[{"attribute": "orders_count", "op": "gte", "value": 99}])
    with pytest.raises(SegmentEmpty):
        campaign_for(store, empty)
    assert not Campaign.objects.exists()


def test_an_exhausted_coupon_pool_refuses_the_start_and_writes_nothing():
    store = open_store()
    for _ in range(3):
        customer_with_orders(store, [30])
    campaign = campaign_for(
        store, everyone(store), offer_kind="coupon_pool", coupon_codes=("A1", "A2"), wordings=["{name}，券码{coupon}"]
    )
    with pytest.raises(CouponPoolExhausted):
        campaign_start(campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not CampaignContact.objects.exists()
    assert not Coupon.objects.filter(contact__isnull=False).exists()


def test_do_not_contact_and_opted_out_are_excluded_with_reasons():
    store = open_store()
    customer_with_orders(store, [30], contact_preference="do_not_contact")
    customer_with_orders(store, [30], sms_opt_out=True)
    CustomerFactory(store=store)  # no orders: not in the segment
    plan = campaign_plan(campaign=campaign_for(store, everyone(store)))
    assert sorted(plan.excluded.values()) == ["do_not_contact", "sms_opt_out"]


def test_a_test_send_is_refused_for_anyone_not_serving_the_store_with_a_phone():
    store = open_store()
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    manager = ManagerFactory(stores=[store], phone="+8613900000021")
    refused = [
        AgentFactory(stores=[open_store()], phone="+8613900000022"),  # serves another store
        AgentFactory(stores=[store], phone=""),  # no phone on file
        AgentFactory(stores=[store], phone="+8613900000023", user__is_active=False),  # left the company
    ]
    for recipient in refused:
        with pytest.raises(CampaignTestRecipientRefused) as caught:
            campaign_test_send(campaign=campaign, recipient=recipient, sender=manager.user, submission=uuid.uuid4())
        assert (caught.value.code, caught.value.field, caught.value.http_status) == ("test_recipient_refused",
                                                                                     "recipient", 400)  # fmt: skip
    assert InMemoryBackend.messages == []
    body = campaign_test_send(campaign=campaign, recipient=manager, sender=manager.user, submission=uuid.uuid4())
    assert [(m.to, m.body) for m in InMemoryBackend.messages] == [("+8613900000021", body)]


def test_a_test_send_to_a_phone_that_replied_stop_is_refused_on_the_recipient_and_uses_none_of_the_hour(settings):
    settings.RETENTION_TEST_SENDS_PER_HOUR = 1
    store = open_store()
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    manager = ManagerFactory(stores=[store], phone="+8613900000021")
    inbound_sms_receive(payload={"From": "+8613900000021", "Body": "stop", "MessageSid": "SM" + "7" * 32})

    with pytest.raises(CampaignTestRecipientOptedOut) as caught:
        campaign_test_send(campaign=campaign, recipient=manager, sender=manager.user, submission=uuid.uuid4())

    assert (caught.value.code, caught.value.field, caught.value.http_status) == ("test_recipient_opted_out",
                                                                                 "recipient", 400)  # fmt: skip
    assert InMemoryBackend.messages == []
    inbound_sms_receive(payload={"From": "+8613900000021", "Body": "START", "MessageSid": "SM" + "8" * 32})
    campaign_test_send(campaign=campaign, recipient=manager, sender=manager.user, submission=uuid.uuid4())
    assert len(InMemoryBackend.messages) == 1  # the refusal used none of the hour's one test


def test_the_test_send_limit_is_per_sender(settings):
    settings.RETENTION_TEST_SENDS_PER_HOUR = 1
    store = open_store()
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    manager, colleague = ManagerFactory(stores=[store]), ManagerFactory(stores=[store])
    campaign_test_send(campaign=campaign, recipient=manager, sender=manager.user, submission=uuid.uuid4())
    with pytest.raises(CampaignTestLimitReached) as caught:
        campaign_test_send(campaign=campaign, recipient=colleague, sender=manager.user, submission=uuid.uuid4())
    assert (caught.value.code, caught.value.http_status) == ("test_send_limit", 429)
    assert "try again in 60 min" in caught.value.message
    campaign_test_send(campaign=campaign, recipient=manager, sender=colleague.user, submission=uuid.uuid4())
    assert len(InMemoryBackend.messages) == 2


def test_a_campaign_whose_end_has_passed_is_refused_at_start_and_nothing_is_written():
    # Started after its end (a draft left for a week, or started after its last sending hour), it went "running"
    # with every customer planned, its coupons handed out, and every message then excluded as "campaign ended".
    store = open_store()
    customer_with_orders(store, [30])
    campaign = campaign_for(
        store, everyone(store), offer_kind="coupon_pool", coupon_codes=("A1",), wordings=["{name}，券码{coupon}"]
    )
    for late in (campaign.ends_at, campaign.ends_at + timedelta(days=3)):
        with pytest.raises(DomainError) as refused:
            campaign_start(campaign=campaign, now=late)
        assert (refused.value.code, refused.value.http_status, refused.value.field) == ("campaign_ended", 409,
                                                                                        "ends_at")  # fmt: skip
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not CampaignContact.objects.exists()
    assert not Coupon.objects.filter(contact__isnull=False).exists()


def test_a_campaign_with_no_sending_hour_left_before_its_end_is_refused_at_start():
    store = open_store()
    customer_with_orders(store, [30])
    now = timezone.now()
    # Sending hours 09:00-21:00 in a store where it is about noon: the end falls before today's 21:00 is over, but
    # the start comes after today's hours, so the first sending moment (tomorrow 09:00) is after the end.
    campaign = campaign_for(store, everyone(store), send_from=time(9, 0), send_until=time(10, 0),
                            ends_at=now + timedelta(hours=6))  # fmt: skip
    with pytest.raises(DomainError) as refused:
        campaign_start(campaign=campaign, now=now)
    assert refused.value.code == "campaign_ended"
    assert not CampaignContact.objects.exists()


def test_a_campaign_cannot_be_made_to_end_in_the_past():
    store = open_store()
    customer_with_orders(store, [30])
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        campaign_for(store, everyone(store), starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=2))
    assert refused.value.field == "ends_at"
    assert not Campaign.objects.exists()


def test_a_running_campaign_can_be_stopped_and_sends_nothing_more():
    # There was no way to stop a running campaign (a wrong offer, a complaint about it): only the admin's status
    # field, which the SMS sweeper did not read, so its messages still went out.
    from retention.services.campaigns import campaign_stop

    store = open_store()
    customers = [customer_with_orders(store, [30]) for _ in range(3)]
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)

    assert campaign_stop(campaign=campaign) == 3
    sms_dispatch_due(time_budget=5)

    campaign.refresh_from_db()
    assert campaign.status == "finished" and InMemoryBackend.messages == []
    rows = CampaignContact.objects.filter(campaign=campaign, customer__in=customers)
    assert set(rows.values_list("status", "excluded_reason")) == {("suppressed", "campaign_stopped")}
    with pytest.raises(DomainError) as again:
        campaign_stop(campaign=campaign)
    assert (again.value.code, again.value.http_status) == ("campaign_not_running", 409)


def test_a_campaign_finished_in_the_admin_sends_nothing_more():
    store = open_store()
    customer_with_orders(store, [30])
    campaign = campaign_for(store, everyone(store))
    campaign_start(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(status="finished")

    sms_dispatch_due(time_budget=5)

    assert InMemoryBackend.messages == []
    assert CampaignContact.objects.get(campaign=campaign).excluded_reason == "campaign_ended"
