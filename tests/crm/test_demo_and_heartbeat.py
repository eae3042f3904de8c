from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from crm.models import Agent, Customer, Order, Store, WorkerHeartbeat
from crm.selectors import stores_for_user, stores_managed_by
from crm.tasks import heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """seed_demo_cases stores the customers' photos: under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _counts():
    return [m.objects.count() for m in (Store, Customer, Order, Agent)]


def test_demo_data_covers_every_tier_and_loads_only_once():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert len({s.timezone for s in Store.objects.all()}) >= 3
    assert len({s.platform for s in Store.objects.all()}) >= 3
    amounts = set(Order.objects.values_list("total_amount", flat=True))
    assert min(amounts) < 300 and any(300 <= a < 1000 for a in amounts) and max(amounts) >= 2000
    assert Order.objects.filter(status=Order.Status.DELIVERED, delivered_at__isnull=False).exists()
    assert Customer.objects.exclude(personality_type="").exists()


def test_the_demo_manager_manages_every_demo_store_and_the_demo_agent_none():
    call_command("seed_demo")
    manager, agent = (Agent.objects.get(user__username=name) for name in ("demo-manager", "demo-agent"))
    assert set(stores_managed_by(user=manager.user)) == set(Store.objects.all())
    assert not stores_managed_by(user=agent.user).exists()
    assert set(stores_for_user(user=agent.user)) == set(Store.objects.all())


def test_the_demo_has_a_user_who_manages_one_store_and_is_an_agent_in_another(client):
    """Roles are per store (ADR 0045): demo-lead manages the jade store and helps out in the silk store as an agent,
    and `make run`'s summary says so, for a visitor to log in as them."""
    from devtools.run_embedded import summary

    call_command("seed_demo")
    call_command("seed_demo")
    lead = Agent.objects.get(user__username="demo-lead")
    jade, silk = Store.objects.get(code="jade-jd"), Store.objects.get(code="silk-tmall")
    assert list(stores_managed_by(user=lead.user)) == [jade]
    assert set(stores_for_user(user=lead.user)) == {jade, silk}
    login = client.post("/accounts/login/", {"username": "demo-lead", "password": "demo-lead-pass"})
    assert login.status_code == 302
    assert client.get("/manager/policy/", {"store": jade.code}).status_code == 200
    assert client.get("/manager/policy/", {"store": silk.code}).status_code == 404
    printed = summary("http://127.0.0.1:8000/")
    assert "demo-lead / demo-lead-pass" in printed
    assert f"manages {jade.name}; an agent in {silk.name}" in printed


def test_the_demo_lead_has_a_capacity_of_their_own_in_each_store_they_serve(client):
    """ADR 0050: the silk store's manager gives demo-lead (who runs the jade store) fewer of silk's evening calls than
    the default; the jade store keeps the default. Each store's policy page shows its own value; once, on a second run
    too (a visitor's change afterwards would stand)."""
    import re

    from crm.models import AgentStore, AuditLog

    call_command("seed_demo")
    call_command("seed_demo")
    lead = Agent.objects.get(user__username="demo-lead")
    capacities = {
        m.store.code: m.evening_capacity for m in AgentStore.objects.filter(agent=lead).select_related("store")
    }
    assert capacities == {"silk-tmall": 8, "jade-jd": AgentStore._meta.get_field("evening_capacity").default}
    changed = AuditLog.objects.get(action="agent_shift_changed")
    assert (changed.store.code, changed.actor.username) == ("silk-tmall", "demo-manager")

    def shown(username: str, code: str) -> str:
        client.post("/accounts/login/", {"username": username, "password": f"{username}-pass"})
        page = client.get("/manager/policy/", {"store": code}).text
        row = page.split(f'data-testid="agent-{lead.pk}"')[1].split("</form>")[0]
        return re.search(r'name="agent-\d+-evening_capacity" value="(\d+)"', row).group(1)

    assert shown("demo-manager", "silk-tmall") == "8"
    assert shown("demo-manager", "jade-jd") == shown("demo-lead", "jade-jd") == "20"


def test_heartbeat_task_records_each_run():
    heartbeat()
    heartbeat()
    beat = WorkerHeartbeat.objects.get(name="worker")
    assert beat.runs == 2


def test_demo_cases_are_about_orders_that_fit_them(settings):
    """`make run`'s order: a parcel gone quiet is one on its way, what the evening call or an SMS reply brought up is
    about one signed for; none is about the purchase history (delivered months ago)."""
    from crm.models import Case

    for command in ("seed_demo", "seed_demo_reviews", "seed_demo_retention", "seed_demo_cases"):
        call_command(command)
    cases = Case.objects.exclude(source=Case.Source.REVIEW).filter(order__isnull=False).select_related("order")
    assert cases.filter(source=Case.Source.LOGISTICS).count() == Store.objects.count()
    for case in cases:
        assert case.order.shipped_at is not None, (case.source, case.order.external_id)
        if case.source == Case.Source.LOGISTICS:
            assert case.order.delivered_at is None, case.order.external_id
        if case.source in (Case.Source.CALL, Case.Source.INBOUND_SMS):
            assert case.order.delivered_at is not None, (case.source, case.order.external_id)
    # The demo shows a case waiting on the customer (ADR 0034): the crushed box, photos asked for on the call.
    waiting = cases.filter(status=Case.Status.AWAITING_CUSTOMER)
    assert {(case.source, case.cause) for case in waiting} == {(Case.Source.CALL, Case.Cause.LOGISTICS)}
    assert waiting.count() == Store.objects.filter(agents__user__username="demo-agent").count()
    assert all(case.waiting_since and case.waiting_for for case in waiting)


def test_the_demo_scratch_case_shows_the_customers_photos_in_the_case_workspace(client, media):
    """The customer of each store's scratch case (an SMS reply) sent two photos of it, real JPEGs drawn at seed time:
    the case page lists them and each opens as the image it is. Once, on a second run too."""
    import io

    from PIL import Image

    from crm.models import Case, CaseEvidence

    for command in ("seed_demo", "seed_demo_reviews", "seed_demo_retention", "seed_demo_cases", "seed_demo_cases"):
        call_command(command)
    client.post("/accounts/login/", {"username": "demo-agent", "password": "demo-agent-pass"})
    for store in Store.objects.all():
        case = Case.objects.get(store=store, source=Case.Source.INBOUND_SMS, cause=Case.Cause.QUALITY)
        photos = list(CaseEvidence.objects.filter(case=case).order_by("pk"))
        assert [p.caption for p in photos] == ["顾客短信发来的照片：整体", "顾客短信发来的照片：划痕近景"]
        assert all(p.added_by.username == "demo-agent" and (media / p.image.name).exists() for p in photos)
        page = client.get(f"/cases/{case.pk}/").text
        for photo in photos:
            assert f"/cases/evidence/{photo.pk}" in page and photo.caption in page
            served = client.get(f"/cases/evidence/{photo.pk}")
            assert served["Content-Type"] == "image/jpeg"
            assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (640, 480)


def test_the_berlin_demo_store_works_its_remedies_in_euros():
    """The demo's store in Berlin sells in euros: its agents' limit is in euros, and the price case's refund, above
    it, waits for the manager in euros (ADR 0036)."""
    from decimal import Decimal

    from crm.models import Remedy

    for command in ("seed_demo", "seed_demo_reviews", "seed_demo_retention", "seed_demo_cases"):
        call_command(command)
    berlin = Store.objects.get(code="tea-own")
    assert (berlin.currency, berlin.agent_remedy_limit) == ("EUR", Decimal("30.00"))
    refund = Remedy.objects.get(case__store=berlin, kind=Remedy.Kind.PARTIAL_REFUND)
    assert (refund.currency, refund.cost, refund.status) == ("EUR", Decimal("40.00"), Remedy.Status.AWAITING_APPROVAL)
    assert refund.cost <= refund.case.order.total_amount and refund.case.order.currency == "EUR"
    assert set(Store.objects.exclude(pk=berlin.pk).values_list("currency", flat=True)) == {"CNY"}


def test_the_demo_has_a_coupon_within_the_limit_waiting_because_of_what_the_customer_was_given_already():
    """ADR 0039: the scratch's gift and coupon, each within the agent's limit, add up above it (with anything else the
    customer was given this week: the price case of another order of theirs, in one store)."""
    from django.utils import timezone

    from crm.models import Case
    from crm.selectors.remedies import remedies_given

    for command in ("seed_demo", "seed_demo_reviews", "seed_demo_retention", "seed_demo_cases"):
        call_command(command)
    for store in Store.objects.filter(agents__user__username="demo-agent"):
        case = Case.objects.get(store=store, source=Case.Source.INBOUND_SMS, cause=Case.Cause.QUALITY)
        gift, coupon = case.remedies.order_by("id")
        assert (gift.kind, coupon.kind, coupon.status) == ("gift", "coupon", "awaiting_approval")
        assert gift.currency == coupon.currency == store.currency
        assert max(gift.cost, coupon.cost) <= store.agent_remedy_limit < gift.cost + coupon.cost
        given = remedies_given(cases=[case], now=timezone.now())[case.pk]
        assert given.amount(store.currency) >= gift.cost + coupon.cost
        assert case.status == Case.Status.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("today", "christmas"), [(datetime(2026, 12, 6, 12, 0), 2026), (datetime(2026, 12, 27, 12, 0), 2027)]
)
def test_the_demo_has_a_store_with_a_day_off_and_a_holiday_still_to_come(today, christmas):
    from crm.models import CasePolicy, StoreClosure

    with time_machine.travel(today.replace(tzinfo=UTC), tick=False):
        call_command("seed_demo")
        call_command("seed_demo")
    tea = Store.objects.get(code="tea-own")
    assert CasePolicy.objects.get(store=tea).days_off == [6]  # Sundays, as shops in Berlin
    closure = StoreClosure.objects.get(store=tea)
    assert (closure.store, closure.first_day, closure.last_day) == (
        tea,
        date(christmas, 12, 24),
        date(christmas, 12, 26),
    )


@time_machine.travel(datetime(2026, 12, 7, 4, 0, tzinfo=UTC), tick=False)  # noon in Shanghai
def test_the_demo_has_a_closure_ended_early_that_moved_no_call(client):
    """ADR 0035: the silk store's stock-take was to close it from yesterday to tomorrow and was ended early today by
    its manager; the policy page lists it as ended early, and the deliveries signed for today are called tonight."""
    from callbacks.models import FollowUp
    from crm.models import StoreClosure

    call_command("seed_demo")
    call_command("seed_demo")
    silk = Store.objects.get(code="silk-tmall")
    closure = StoreClosure.objects.get(store=silk)
    assert (closure.first_day, closure.last_day) == (date(2026, 12, 6), date(2026, 12, 8))
    assert closure.ended_at is not None and closure.ended_by.username == "demo-manager"
    calls = FollowUp.objects.filter(store=silk, channel__in=["call", "dedicated"], status="planned")
    assert calls.exists() and {f.window_start.astimezone(silk.tzinfo).date() for f in calls} == {date(2026, 12, 7)}
    client.post("/accounts/login/", {"username": "demo-manager", "password": "demo-manager-pass"})
    page = client.get("/manager/policy/", {"store": silk.code}, headers={"Accept-Language": "en"}).text
    row = page.split(f'data-testid="closure-{closure.pk}"')[1].split("</tr>")[0]
    assert "仓库盘点" in row and "Ended early" in row and "open again from 2026-12-07 12:00, by 陈经理" in row
