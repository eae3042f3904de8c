"""The contact gate: each rule refuses with its reason, time rules give `not_before`, caps count the ledger."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.errors import OverrideNotAllowed
from callbacks.models import FollowUpPolicy
from callbacks.services.gate import (
    ContactChannel,
    ContactPurpose,
    ContactRow,
    RefusalReason,
    contact_decide,
    contact_override,
    contact_record,
    contacts_decide,
    contacts_record,
    customer_stop_calls,
)
from crm.models import AuditLog, Customer
from tests.callbacks.conftest import local
from tests.factories import AgentFactory, CustomerFactory, FollowUpFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

SMS, CALL = ContactChannel.SMS, ContactChannel.CALL
CARE, LOGISTICS, MARKETING = ContactPurpose.CARE, ContactPurpose.LOGISTICS, ContactPurpose.MARKETING


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


def noon(store):
    return local(store, 2026, 12, 4, 12, 0)


@pytest.mark.parametrize(
    ("wishes", "channel", "reason"),
    [
        ({"phone": ""}, SMS, RefusalReason.NO_PHONE),
        ({"contact_preference": "do_not_contact"}, SMS, RefusalReason.DO_NOT_CONTACT),
        ({"contact_preference": "do_not_contact"}, CALL, RefusalReason.DO_NOT_CONTACT),
        ({"contact_preference": "no_calls"}, CALL, RefusalReason.NO_CALLS),
        ({"contact_preference": "sms_only"}, CALL, RefusalReason.NO_CALLS),
        ({"sms_opt_out": True}, SMS, RefusalReason.SMS_OPT_OUT),
    ],
)
def test_each_standing_wish_refuses_with_its_reason(store, wishes, channel, reason):
    customer = CustomerFactory(store=store, **wishes)
    decision = contact_decide(customer=customer, channel=channel, purpose=CARE, at=noon(store))
    assert not decision
    assert decision.reason == reason
    assert decision.detail
    assert decision.not_before is None


def test_wishes_that_concern_another_channel_allow(store):
    no_calls = CustomerFactory(store=store, contact_preference="no_calls")
    opted_out = CustomerFactory(store=store, sms_opt_out=True)
    assert contact_decide(customer=no_calls, channel=SMS, purpose=CARE, at=noon(store))
    for purpose in (CARE, LOGISTICS, ContactPurpose.CASE):
        assert contact_decide(customer=opted_out, channel=CALL, purpose=purpose, at=noon(store))


def test_an_opt_out_refuses_marketing_calls_too(store):
    # Their reply said "stop marketing me": a return-visit call is marketing, whatever its channel.
    opted_out = CustomerFactory(
        store=store,
        sms_opt_out=True,
        marketing_consent_at=datetime(2026, 11, 1, tzinfo=UTC),
        marketing_consent_source="checkout",
    )
    decision = contact_decide(customer=opted_out, channel=CALL, purpose=MARKETING, at=noon(store))
    assert (decision.allowed, decision.reason, decision.not_before) == (False, RefusalReason.MARKETING_OPT_OUT, None)
    assert "call" in decision.detail
    assert not decision.only_the_hour  # a wish: no agent may override it


def test_sms_in_quiet_hours_waits_for_the_store_morning(store):
    customer = CustomerFactory(store=store)
    decision = contact_decide(customer=customer, channel=SMS, purpose=CARE, at=local(store, 2026, 12, 4, 23, 30))
    assert decision.reason == RefusalReason.QUIET_HOURS
    assert decision.only_the_hour
    assert decision.not_before == local(store, 2026, 12, 5, 9, 0)


def test_call_at_0112_customer_time_is_outside_the_call_window_in_the_store_zone():
    # 01:12 in Los Angeles is 17:12 in Shanghai: only the store's own zone counts.
    store = StoreFactory(timezone="America/Los_Angeles")
    customer = CustomerFactory(store=store)
    at = local(store, 2026, 12, 4, 1, 12)
    decision = contact_decide(customer=customer, channel=CALL, purpose=CARE, at=at)
    assert decision.reason == RefusalReason.OUTSIDE_CALL_WINDOW
    assert decision.not_before == local(store, 2026, 12, 4, 9, 0)
    assert "01:12" in decision.detail and "America/Los_Angeles" in decision.detail


def test_call_hours_follow_the_store_policy(store):
    FollowUpPolicy.objects.create(store=store, call_hours_from=time(10, 0), call_hours_until=time(20, 0))
    customer = CustomerFactory(store=store)
    assert not contact_decide(customer=customer, channel=CALL, purpose=CARE, at=local(store, 2026, 12, 4, 9, 30))
    assert contact_decide(customer=customer, channel=CALL, purpose=CARE, at=local(store, 2026, 12, 4, 10, 0))
    late = contact_decide(customer=customer, channel=CALL, purpose=CARE, at=local(store, 2026, 12, 4, 20, 0))
    assert late.not_before == local(store, 2026, 12, 5, 10, 0)


def test_sms_hours_that_end_or_open_in_the_hour_the_clocks_skip_follow_the_clock():
    # Berlin, Sunday 28 March 2027: at 01:00 UTC the clock jumps from 02:00 CET to 03:00 CEST; 02:30 never shows.
    berlin = StoreFactory(timezone="Europe/Berlin")
    FollowUpPolicy.objects.create(store=berlin, sms_send_from=time(1, 0), sms_send_until=time(2, 30))
    customer = CustomerFactory(store=berlin)
    at_0310 = datetime(2027, 3, 28, 1, 10, tzinfo=UTC)  # 03:10 CEST on the customer's phone: past 02:30
    late = contact_decide(customer=customer, channel=SMS, purpose=CARE, at=at_0310)
    assert late.reason == RefusalReason.QUIET_HOURS
    assert late.not_before == datetime(2027, 3, 28, 23, 0, tzinfo=UTC)  # Monday 01:00 CEST
    assert contact_decide(customer=customer, channel=SMS, purpose=CARE, at=datetime(2027, 3, 28, 0, 59, tzinfo=UTC))
    # Hours opening at 02:30 open when the clock jumps past it, at 03:00 CEST, not an hour later.
    opening = StoreFactory(timezone="Europe/Berlin")
    FollowUpPolicy.objects.create(store=opening, sms_send_from=time(2, 30), sms_send_until=time(6, 0))
    customer = CustomerFactory(store=opening)
    early = contact_decide(customer=customer, channel=SMS, purpose=CARE, at=datetime(2027, 3, 28, 0, 59, tzinfo=UTC))
    assert early.not_before == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert contact_decide(customer=customer, channel=SMS, purpose=CARE, at=at_0310)


def test_sms_hours_around_the_hour_the_clocks_repeat_cover_it_twice():
    # Berlin, Sunday 25 October 2026: at 01:00 UTC the clock goes back from 03:00 CEST to 02:00 CET.
    berlin = StoreFactory(timezone="Europe/Berlin")
    FollowUpPolicy.objects.create(store=berlin, sms_send_from=time(1, 0), sms_send_until=time(4, 0))
    customer = CustomerFactory(store=berlin)
    # 01:00 and 02:30 CEST, then 02:30 and 03:59 CET: all inside 01:00-04:00 by the clock
    for day, hour, minute in [(24, 23, 0), (25, 0, 30), (25, 1, 30), (25, 2, 59)]:
        at = datetime(2026, 10, day, hour, minute, tzinfo=UTC)
        assert contact_decide(customer=customer, channel=SMS, purpose=CARE, at=at)
    closed = contact_decide(customer=customer, channel=SMS, purpose=CARE, at=datetime(2026, 10, 25, 3, 0, tzinfo=UTC))
    assert closed.not_before == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # 04:00 CET: four real hours that night


def test_marketing_needs_consent_with_its_evidence(store):
    customer = CustomerFactory(store=store)
    assert contact_decide(customer=customer, channel=SMS, purpose=MARKETING, at=noon(store)).reason == (
        RefusalReason.NO_MARKETING_CONSENT
    )
    Customer.objects.filter(pk=customer.pk).update(
        marketing_consent_at=datetime(2026, 11, 1, tzinfo=UTC), marketing_consent_source="checkout"
    )
    assert contact_decide(customer=customer, channel=SMS, purpose=MARKETING, at=noon(store))


def test_marketing_cap_is_one_per_seven_days_by_default(store):
    customer = CustomerFactory(
        store=store, marketing_consent_at=datetime(2026, 11, 1, tzinfo=UTC), marketing_consent_source="call"
    )
    sent = noon(store) - timedelta(days=3)
    contact_record(customer=customer, channel=SMS, purpose=MARKETING, at=sent, source="campaign")
    decision = contact_decide(customer=customer, channel=SMS, purpose=MARKETING, at=noon(store))
    assert decision.reason == RefusalReason.CAP_REACHED
    assert decision.not_before == sent + timedelta(days=7)
    # Care contacts are not counted against marketing, and are not capped.
    assert contact_decide(customer=customer, channel=SMS, purpose=CARE, at=noon(store))
    assert contact_decide(customer=customer, channel=SMS, purpose=MARKETING, at=sent + timedelta(days=7, seconds=1))


def test_logistics_cap_counts_per_order_and_follows_the_store(store):
    customer = CustomerFactory(store=store)
    order, other = OrderFactory(customer=customer), OrderFactory(customer=customer)
    for _ in range(2):
        contact_record(customer=customer, channel=SMS, purpose=LOGISTICS, order=order, at=noon(store))
    at = noon(store) + timedelta(hours=1)
    assert contact_decide(customer=customer, channel=SMS, purpose=LOGISTICS, order=order, at=at).reason == (
        RefusalReason.CAP_REACHED
    )
    assert contact_decide(customer=customer, channel=SMS, purpose=LOGISTICS, order=other, at=at)
    FollowUpPolicy.objects.create(store=store, logistics_cap_per_order=3)
    customer.store.refresh_from_db()
    customer = Customer.objects.select_related("store").get(pk=customer.pk)
    assert contact_decide(customer=customer, channel=SMS, purpose=LOGISTICS, order=order, at=at)


def test_contacts_decide_uses_a_fixed_number_of_queries(store):
    customers = [CustomerFactory(store=store) for _ in range(3)]
    more = customers + [CustomerFactory(store=store, sms_opt_out=True) for _ in range(20)]
    store = type(store).objects.select_related("followup_policy").get(pk=store.pk)

    def count(group):
        orders = {c.pk: OrderFactory(customer=c).pk for c in group}
        with CaptureQueriesContext(connection) as queries:
            decisions = contacts_decide(
                store=store,
                customer_ids=[c.pk for c in group],
                channel=SMS,
                purpose=LOGISTICS,
                at=noon(store),
                order_ids=orders,
            )
        return len(queries), decisions

    few, _ = count(customers)
    many, decisions = count(more)
    assert few == many == 2  # the customers, the ledger
    assert sum(1 for d in decisions.values() if d.reason == RefusalReason.SMS_OPT_OUT) == 20


def test_contacts_decide_answers_only_for_customers_of_the_store(store):
    stranger = CustomerFactory(store=StoreFactory())
    assert contacts_decide(store=store, customer_ids=[stranger.pk], channel=SMS, purpose=CARE) == {}


def test_contacts_record_writes_the_ledger_in_bulk(store):
    customer = CustomerFactory(store=store)
    rows = [ContactRow(customer_id=customer.pk, store_id=store.pk, channel=SMS, purpose=MARKETING) for _ in range(3)]
    contacts_record(rows=rows)
    assert customer.contacts.count() == 3


def test_an_override_is_only_for_the_hour_and_is_audited():
    store = StoreFactory(timezone="America/Los_Angeles")
    customer = CustomerFactory(store=store)
    agent = AgentFactory(stores=[store])
    with time_machine.travel(local(store, 2026, 12, 4, 1, 12), tick=False):
        refused = contact_decide(customer=customer, channel=CALL, purpose=CARE)
        allowed = contact_override(
            decision=refused, customer=customer, channel=CALL, purpose=CARE, agent=agent, subject="followup:1"
        )
    assert allowed
    entry = AuditLog.objects.get(action="contact.override")
    assert entry.actor == agent.user
    assert entry.data["reason"] == RefusalReason.OUTSIDE_CALL_WINDOW
    assert entry.data["customer_local_time"].startswith("2026-12-04T01:12")

    dnc = CustomerFactory(store=store, contact_preference="do_not_contact")
    refused = contact_decide(customer=dnc, channel=CALL, purpose=CARE)
    with pytest.raises(OverrideNotAllowed):
        contact_override(decision=refused, customer=dnc, channel=CALL, purpose=CARE, agent=agent, subject="x")


def test_stop_calls_tightens_only_a_wish_that_allows_calls(store):
    agent = AgentFactory(stores=[store])
    anyone, sms_only = CustomerFactory(store=store), CustomerFactory(store=store, contact_preference="sms_only")
    customer_stop_calls(customer=anyone, agent=agent)
    customer_stop_calls(customer=sms_only, agent=agent)
    anyone.refresh_from_db()
    sms_only.refresh_from_db()
    assert (anyone.contact_preference, sms_only.contact_preference) == ("no_calls", "sms_only")


def test_marketing_consent_is_recorded_on_the_archive_with_how_and_when_and_the_gate_follows(client, store):
    agent = AgentFactory(stores=[store])
    customer = CustomerFactory(store=store)
    followup = FollowUpFactory(order__customer=customer, assignee=agent)
    client.force_login(agent.user)
    form = client.get(f"/calls/{followup.pk}/profile").text
    assert 'name="marketing_consent_source"' in form
    base = {"name": customer.name, "gender": "unknown", "contact_preference": "any", "interests": ""}
    with time_machine.travel(local(store, 2026, 12, 4, 12, 0), tick=False):
        saved = client.post(
            f"/calls/{followup.pk}/profile", {**base, "marketing_consent_source": "call", "marketing_consent_at": ""}
        )
        assert saved.status_code == 200 and "Said yes on a call" in saved.text and "2026-12-04 12:00" in saved.text
        customer.refresh_from_db()
        assert customer.marketing_consent_at == local(store, 2026, 12, 4, 12, 0)
        assert contact_decide(customer=customer, channel=SMS, purpose=MARKETING)
        # Saving the form again as shown changes nothing; withdrawing clears the time too, with history.
        client.post(
            f"/calls/{followup.pk}/profile",
            {**base, "marketing_consent_source": "call", "marketing_consent_at": "2026-12-04T12:00"},
        )
        assert customer.changes.filter(field="marketing_consent_at").count() == 1
        client.post(f"/calls/{followup.pk}/profile", {**base, "marketing_consent_source": ""})
        customer.refresh_from_db()
        assert (customer.marketing_consent_at, customer.marketing_consent_source) == (None, "")
        assert customer.changes.filter(field="marketing_consent_at").count() == 2
        refused = contact_decide(customer=customer, channel=SMS, purpose=MARKETING)
        assert refused.reason == RefusalReason.NO_MARKETING_CONSENT


def test_the_ledger_fast_path_writes_what_the_orm_writes(store, settings):
    """contacts_insert on PostgreSQL (execute_values) and its ORM twin store the same rows."""
    from callbacks.models import ContactLog
    from callbacks.services import rows

    customer = CustomerFactory(store=store)
    order = OrderFactory(customer=customer)
    at = noon(store)
    values = [
        (store.pk, customer.pk, order.pk, "sms", "logistics", at, "delay_notice"),
        (store.pk, customer.pk, None, "call", "care", at, ""),
    ]
    rows.contacts_insert(values)
    fast = list(ContactLog.objects.order_by("id").values_list(*rows.CONTACT_COLUMNS))
    ContactLog.objects.all().delete()
    ContactLog.objects.bulk_create([ContactLog(**dict(zip(rows.CONTACT_COLUMNS, v, strict=True))) for v in values])
    assert list(ContactLog.objects.order_by("id").values_list(*rows.CONTACT_COLUMNS)) == fast == values
