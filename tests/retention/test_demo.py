"""`make run`'s demo: each store has a running return-visit call campaign whose calls wait in the agents' queue."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from callbacks.models import FollowUp
from callbacks.services.policy import policy_for_store
from retention.management.commands.seed_demo_retention import CALL_CAMPAIGN
from retention.models import Campaign, CampaignContact

pytestmark = pytest.mark.django_db


# Every demo store's SMS hours open (the SMS campaign goes out at seeding, before the calls), and none.
@pytest.mark.parametrize("at", [datetime(2026, 12, 7, 8, 0, tzinfo=UTC), datetime(2026, 12, 7, 22, 0, tzinfo=UTC)])
def test_the_demo_shows_return_visit_calls_in_the_agents_queue_and_an_outcome_on_the_campaign(client, at):
    with time_machine.travel(at):
        _the_demo_shows_return_visit_calls(client)


def _the_demo_shows_return_visit_calls(client):
    call_command("seed_demo")
    call_command("seed_demo_retention")
    tasks = FollowUp.objects.filter(purpose="return_visit").count()
    call_command("seed_demo_retention")  # idempotent

    assert FollowUp.objects.filter(purpose="return_visit").count() == tasks > 0
    campaigns = Campaign.objects.filter(name=CALL_CAMPAIGN, status="running")
    assert campaigns.count() == 3
    assert CampaignContact.objects.filter(campaign__in=campaigns, status="done", outcome="interested").exists()
    codes = set(CampaignContact.objects.exclude(coupon_code="").values_list("coupon_code", flat=True))
    assert codes and all("--" not in code for code in codes), codes  # TEA-BACK-000, not TEA--BACK-000
    login = client.post("/accounts/login/", {"username": "demo-agent", "password": "demo-agent-pass"})
    assert login.status_code == 302
    page = client.get("/calls/", headers={"Accept-Language": "en"}).text
    today = page[page.index('data-testid="queue-today"') :]
    waiting = FollowUp.objects.filter(purpose="return_visit", status="planned", assignee__user__username="demo-agent")
    assert waiting.exists() and all(f"/calls/{task.pk}/" in today for task in waiting)


def test_the_demo_has_a_gift_task_and_a_birthday_wish_in_every_store(client):
    """The demo customers' birthdays are fixed dates: the seed brings one loyal buyer's to the gift tasks' day and
    another's to the wishes' day, whatever the day it runs, so the gifts page and the birthday campaign show them."""
    from crm.models import Store
    from retention.models import GiftTask

    call_command("seed_demo")
    call_command("seed_demo_retention")
    call_command("seed_demo_retention")  # idempotent
    stores = Store.objects.count()
    assert GiftTask.objects.values("store").distinct().count() == GiftTask.objects.count() == stores
    wishes = CampaignContact.objects.filter(campaign__purpose="birthday")
    assert wishes.values("store").distinct().count() == wishes.count() == stores
    manager = Store.objects.first()
    login = client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"})
    assert login.status_code == 302
    task = GiftTask.objects.get(store=manager)
    page = client.get(f"/retention/{manager.pk}/gifts/", headers={"Accept-Language": "en"}).text
    assert task.customer.name in page


def _today_at_utc(hour: int) -> datetime:
    return timezone.now().astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_the_demo_shows_the_built_in_segments_and_a_redeemed_coupon_without_the_pages_writing_them(client):
    # The pages only read: the demo's stores got their built-in segments when seed_demo made them, and the coupon
    # its order redeemed is marked by the seed, as the order API marks it when an order comes in. The seed sends
    # through the contact gate, so only inside every demo store's sending hours (09:00-21:00 in Shanghai, Urumqi
    # and Berlin: 08:00-13:00 UTC) is a coupon sent and redeemed; 10:00 UTC is inside them.
    import re

    from crm.models import Case, Store
    from retention.models import Coupon
    from retention.results import campaign_results

    with time_machine.travel(_today_at_utc(10), tick=True):
        call_command("seed_demo")
        call_command("seed_demo_retention")
    assert client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"}).status_code
    for store in Store.objects.all():
        campaign = Campaign.objects.get(store=store, name="老客回访 · 满减券")
        assert Coupon.objects.filter(campaign=campaign, redeemed_order__isnull=False).count() == 1
        segments = client.get(f"/retention/{store.pk}/segments/", headers={"Accept-Language": "en"}).text
        assert "High-value repeat buyers" in segments and "Birthdays next month" in segments
        page = client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").text
        assert re.search(r'data-testid="redeemed">1<', page), store.code
        # Another customer answered the message with a question: the campaign lists who replied, and an agent has
        # the question as a case (every demo customer had a delivery today).
        (replied,) = CampaignContact.objects.filter(campaign=campaign).exclude(replied_at=None)
        assert page.count('data-testid="reply"') == 1 and replied.customer.name in page, store.code
        assert Case.objects.filter(customer=replied.customer, source=Case.Source.INBOUND_SMS).count() == 1
        # The coupon's order was placed after its customer's message: a repeat purchase the campaign brought.
        assert campaign_results(campaign=campaign).converted == 1, store.code


def test_the_demo_seeded_at_night_sends_no_campaign_message_and_redeems_no_coupon(client):
    """At 22:00 UTC every demo store is outside its sending hours (06:00 in Shanghai, 04:00 in Urumqi, 23:00 in
    Berlin): the seed's campaign messages wait for the morning and no coupon comes back, and the pages still open."""
    from crm.models import Store
    from retention.models import Coupon

    with time_machine.travel(_today_at_utc(22), tick=True):
        call_command("seed_demo")
        call_command("seed_demo_retention")
    sms = CampaignContact.objects.filter(campaign__name="老客回访 · 满减券")
    assert sms.filter(status="planned").exists() and not sms.filter(status="sent").exists()
    assert not Coupon.objects.exclude(redeemed_order=None).exists()
    assert client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"}).status_code
    for store in Store.objects.all():
        campaign = Campaign.objects.get(store=store, name="老客回访 · 满减券")
        assert client.get(f"/retention/{store.pk}/campaigns/{campaign.pk}/").status_code == 200


# Inside every demo store's SMS hours, inside the jade evening campaign's hour (20:00-21:00 in Urumqi: its messages are
# due as the seed starts it), and outside every store's SMS hours.
@pytest.mark.parametrize("hour", [10, 14, 22])
def test_the_demo_shows_campaign_messages_withdrawn_and_why(client, hour):
    """ADR 0044/0046: after the jade store's evening campaign (20:00-21:00) started, its manager ended the store's SMS
    hours at 20:00, confirming the withdrawals first; the campaign's messages not yet sent are withdrawn, and its page
    says why. A customer due the store's return campaign's message took their marketing consent back before it went:
    the gate's last look withheld it, and that campaign's page gives the reason. Once each, on a second run too."""
    from datetime import time

    from crm.models import AuditLog, Customer, Store
    from retention.management.commands.seed_demo_retention import EVENING_CAMPAIGN

    with time_machine.travel(_today_at_utc(hour), tick=True):
        call_command("seed_demo")
        call_command("seed_demo_retention")
        call_command("seed_demo_retention")
    jade = Store.objects.get(code="jade-jd")
    assert policy_for_store(store=jade).sms_send_until == time(20, 0)
    changed = AuditLog.objects.get(store=jade, action="followup_policy_changed", data__after__has_key="sms_send_until")
    assert changed.actor.username == "demo-lead"  # the jade store's own manager (ADR 0045)
    evening = Campaign.objects.get(store=jade, name=EVENING_CAMPAIGN)
    withdrawn = CampaignContact.objects.filter(campaign=evening, status="suppressed", excluded_reason="store_sms_hours")
    assert withdrawn.count() == changed.data["campaign_contacts_withdrawn"] > 0
    assert not CampaignContact.objects.filter(campaign=evening, status__in=["planned", "sent"]).exists()
    refused = CampaignContact.objects.get(campaign__name="老客回访 · 满减券", excluded_reason="no_marketing_consent")
    assert (refused.store, refused.status) == (jade, "suppressed")
    customer = Customer.objects.get(pk=refused.customer_id)
    assert customer.marketing_consent_at is None
    assert customer.changes.filter(field="marketing_consent_source", changed_by__username="demo-agent").exists()

    client.post("/accounts/login/", {"username": "demo-lead", "password": "demo-lead-pass"})
    page = client.get(f"/retention/{jade.pk}/campaigns/{evening.pk}/", headers={"Accept-Language": "en"}).text
    assert 'data-testid="store-hours-notice"' in page
    assert f"Outside the store&#x27;s SMS hours until the campaign ends: {withdrawn.count()}" in page
    page = client.get(f"/retention/{jade.pk}/campaigns/{refused.campaign_id}/", headers={"Accept-Language": "en"}).text
    assert "No marketing consent on record: 1" in page


def test_the_demo_berlin_store_offers_its_customers_euros():
    """The demo's tea store sells in euros; its campaigns offered yuan (满300减50元) to its customers in Europe."""
    from callbacks.services.policy import policy_for_store
    from retention.wording import campaign_offer_text

    call_command("seed_demo")
    call_command("seed_demo_retention")
    for campaign in Campaign.objects.filter(store__code="tea-own").exclude(offer_kind="none"):
        offer = campaign_offer_text(campaign=campaign, policy=policy_for_store(store=campaign.store))
        assert "欧元" in offer or "€" in offer, offer
    scripts = FollowUp.objects.filter(purpose="return_visit", store__code="tea-own").values_list("script", flat=True)
    assert scripts and all("元" not in s.replace("欧元", "") for s in scripts)


def test_the_demo_has_a_campaign_reply_when_the_control_group_leaves_one_customer_contacted(client, monkeypatch):
    """The control group is a hash of the campaign's and customers' ids, which differ from database to database: where
    it holds every customer of a store but one, the coupon's customer is the one who asks."""
    from retention.services import plan

    first: dict[int, int] = {}

    def in_control_group(*, campaign_id: int, customer_id: int, percent: int) -> bool:
        first.setdefault(campaign_id, customer_id)
        return bool(percent) and customer_id != first[campaign_id]

    monkeypatch.setattr(plan, "in_control_group", in_control_group)
    test_the_demo_shows_the_built_in_segments_and_a_redeemed_coupon_without_the_pages_writing_them(client)
