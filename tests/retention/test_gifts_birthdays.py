from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from callbacks.models import FollowUpPolicy
from callbacks.services.dispatch import sms_dispatch_due
from callbacks.telephony.memory import InMemoryBackend
from crm.models import Customer, CustomerChange
from crm.services.customers import customer_update_profile
from retention.errors import GiftCustomerDoNotContact, GiftUnsuitable
from retention.models import CampaignContact, GiftTask, RetentionPolicy, Segment
from retention.services.birthdays import birthday_wishes_plan, gift_tasks_plan
from retention.services.gifts import gift_create, gift_task_send
from retention.services.segments import attributes_refresh, segments_ensure_builtin
from tests.factories import AgentFactory, StoreFactory

from .conftest import customer_with_orders
from .helpers import open_store

pytestmark = pytest.mark.django_db


def _in_days(store, days):
    return timezone.localdate(timezone.now(), store.tzinfo) + timedelta(days=days)


def test_birthday_wishes_go_out_n_days_before_through_the_gate_once():
    store = open_store()
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    soon = _in_days(store, 3)
    wished = customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day))
    customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day), marketing_consent_at=None)
    customer_with_orders(store, [30], birthday=date(1990, _in_days(store, 4).month, _in_days(store, 4).day))

    assert birthday_wishes_plan(store=store) == 2
    assert birthday_wishes_plan(store=store) == 0  # planned once per customer and year
    sms_dispatch_due(time_budget=5)

    [message] = InMemoryBackend.messages
    assert message.to == wished.phone and "生日快乐" in message.body and message.body.count("回T退订") == 1
    assert CampaignContact.objects.get(status="suppressed").excluded_reason == "no_marketing_consent"


def _loyal_customer(store, **kw):
    birthday = _in_days(store, 14)
    customer = customer_with_orders(
        store, [300, 200, 100], amount="6000.00", birthday=date(1985, birthday.month, birthday.day), **kw
    )
    customer_with_orders(store, [50], amount="10.00")  # someone cheaper, so the loyal one scores high
    attributes_refresh(store=store)
    return customer


def test_an_unsuitable_gift_is_refused_saying_why_and_a_suitable_one_recorded():
    store = open_store()
    owner = AgentFactory(stores=[store])
    customer = _loyal_customer(store, gender="female", dedicated_owner=owner)
    assert gift_tasks_plan(store=store) == 1
    task = GiftTask.objects.get(customer=customer)
    assert task.assignee == owner
    segments_ensure_builtin(store=store)
    loyal = Segment.objects.get(store=store, builtin="high_value_repeat")
    tie = gift_create(store=store, name="真丝领带", genders=["male"], age_min=25, age_max=35)
    scarf = gift_create(store=store, name="真丝方巾", genders=["female"], age_min=30, age_max=60, segments=[loyal])

    with pytest.raises(GiftUnsuitable) as refused:
        gift_task_send(task=task, gift=tie, actor=owner.user)
    reasons = refused.value.details["reasons"]
    assert any("Male" in r for r in reasons) and any("ages 25–35" in r for r in reasons)
    task.refresh_from_db()
    assert task.status == "open" and task.gift is None

    gift_task_send(task=task, gift=scarf, actor=owner.user)
    task.refresh_from_db()
    assert (task.status, task.gift) == ("sent", scarf)
    change = CustomerChange.objects.get(customer=customer, field="gift_sent")
    assert change.new_value["gift"] == "真丝方巾"


def test_a_gift_task_of_a_customer_who_then_asked_not_to_be_contacted_is_cancelled_and_no_gift_is_sent():
    # Planned while the customer could be contacted; a week later they asked us not to contact them.
    store = open_store()
    owner = AgentFactory(stores=[store])
    customer = _loyal_customer(store, gender="female", dedicated_owner=owner)
    gift_tasks_plan(store=store)
    task = GiftTask.objects.get(customer=customer)
    scarf = gift_create(store=store, name="真丝方巾")

    customer_update_profile(customer=customer, actor=owner.user, changes={"contact_preference": "do_not_contact"})

    task.refresh_from_db()
    assert task.status == "cancelled"
    with pytest.raises(GiftCustomerDoNotContact) as refused:
        gift_task_send(task=task, gift=scarf, actor=owner.user)
    # A conflict with the customer's state (409), like a closed task: not a form to correct (400).
    assert (refused.value.code, refused.value.http_status, refused.value.field) == (
        "gift_customer_do_not_contact", 409, "task",
    )  # fmt: skip
    assert "not to be contacted" in refused.value.message
    task.refresh_from_db()
    assert (task.status, task.gift) == ("cancelled", None)
    assert not CustomerChange.objects.filter(customer=customer, field="gift_sent").exists()


def test_a_gift_task_still_open_for_a_customer_who_asked_not_to_be_contacted_is_not_recorded_as_sent():
    # However the wish got there (a task opened before this release, a row written around the profile service).
    store = open_store()
    owner = AgentFactory(stores=[store])
    customer = _loyal_customer(store, dedicated_owner=owner)
    gift_tasks_plan(store=store)
    task = GiftTask.objects.get(customer=customer)
    Customer.objects.filter(pk=customer.pk).update(contact_preference="do_not_contact")

    with pytest.raises(GiftCustomerDoNotContact) as refused:
        gift_task_send(task=task, gift=gift_create(store=store, name="茶具"), actor=owner.user)
    assert refused.value.http_status == 409

    task.refresh_from_db()
    assert (task.status, task.gift) == ("open", None)


def test_planning_gifts_again_counts_only_the_new_tasks():
    # The count (beat's "gift_tasks") included the tasks planned by an earlier run.
    store = open_store()
    _loyal_customer(store)

    assert gift_tasks_plan(store=store) == 1
    assert gift_tasks_plan(store=store) == 0
    assert GiftTask.objects.count() == 1


def test_a_feb_29_birthday_is_wished_on_feb_28_in_a_year_without_one():
    store = StoreFactory(timezone="Asia/Shanghai")
    FollowUpPolicy.objects.create(store=store)
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    leapling = customer_with_orders(store, [30], birthday=date(1992, 2, 29))
    # 2027-02-25 12:00 in Shanghai: three days before Feb 28, the last day of February 2027.
    now = datetime(2027, 2, 25, 4, 0, tzinfo=UTC)

    assert birthday_wishes_plan(store=store, now=now) == 1
    assert CampaignContact.objects.get().customer == leapling
    assert birthday_wishes_plan(store=store, now=now + timedelta(days=1)) == 0  # not again on "Mar 1"


def test_a_feb_29_birthday_gets_its_gift_task_for_feb_28_in_a_year_without_one():
    store = open_store()
    RetentionPolicy.objects.create(store=store, gift_days_before=14)
    customer = customer_with_orders(store, [300, 200, 100], amount="6000.00", birthday=date(1988, 2, 29))
    customer_with_orders(store, [50], amount="10.00")
    attributes_refresh(store=store)
    # 14 days before Feb 28, 2027, at noon in the store.
    now = datetime.combine(date(2027, 2, 14), time(12, 0), tzinfo=store.tzinfo)

    assert gift_tasks_plan(store=store, now=now) == 1
    assert GiftTask.objects.get().customer == customer and GiftTask.objects.get().occasion_date == date(2027, 2, 28)


@pytest.mark.django_db(transaction=True)
def test_two_birthday_runs_at_once_plan_one_wish_per_customer():
    # Beat's hourly run overlapping a slow or redelivered one: both must not make the year's birthday campaign, or
    # each customer gets two birthday texts.
    import threading

    from django.db import connection, transaction

    from retention.models import Campaign
    from tests.locking import hold_until_another_session_waits_or

    store = open_store()
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    soon = _in_days(store, 3)
    customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day))
    planned, other_done = threading.Event(), threading.Event()

    def first_run():
        try:
            with transaction.atomic():
                birthday_wishes_plan(store=store)
                planned.set()
                hold_until_another_session_waits_or(other_done)
        finally:
            connection.close()

    run = threading.Thread(target=first_run)
    run.start()
    planned.wait()
    try:
        birthday_wishes_plan(store=store)
    finally:
        other_done.set()
        run.join()
    assert Campaign.objects.filter(store=store, purpose="birthday").count() == 1
    assert CampaignContact.objects.filter(store=store).count() == 1


def test_the_birthday_campaign_of_the_year_is_found_again_after_a_rename_or_a_language_change():
    # Found by its name, a renamed campaign (or one named in the store's former language) was not found again and
    # the store got a second birthday campaign of the year.
    from django.utils import translation

    from retention.models import Campaign

    store = open_store()
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    soon, later = _in_days(store, 3), _in_days(store, 4)
    customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day))
    customer_with_orders(store, [30], birthday=date(1990, later.month, later.day))
    with translation.override("en"):
        assert birthday_wishes_plan(store=store) == 1
    campaign = Campaign.objects.get(store=store, purpose="birthday")
    Campaign.objects.filter(pk=campaign.pk).update(name="生日祝福")

    with translation.override("zh-hans"):
        assert birthday_wishes_plan(store=store, now=timezone.now() + timedelta(days=1)) == 1

    assert list(Campaign.objects.filter(store=store, purpose="birthday")) == [campaign]
    assert CampaignContact.objects.filter(campaign=campaign).count() == 2


def test_a_managers_own_birthday_campaign_is_not_taken_for_the_years_wishes():
    from retention.models import Campaign
    from tests.retention.helpers import campaign_for, everyone

    store = open_store()
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    soon = _in_days(store, 3)
    customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day))
    own = campaign_for(store, everyone(store), purpose="birthday", name=f"Birthday wishes {soon.year}")

    assert birthday_wishes_plan(store=store) == 1
    assert not CampaignContact.objects.filter(campaign=own).exists()
    assert Campaign.objects.filter(store=store, purpose="birthday").count() == 2


def test_the_migration_keys_the_birthday_campaigns_made_before_one_a_year():
    import importlib

    from django.apps import apps

    from retention.models import Campaign
    from tests.retention.helpers import campaign_for, everyone

    migration = importlib.import_module("retention.migrations.0005_campaign_system_key")
    store = StoreFactory(timezone="Asia/Shanghai")
    FollowUpPolicy.objects.create(store=store)
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    customer_with_orders(store, [30], birthday=date(1992, 2, 28))
    birthday_wishes_plan(store=store, now=datetime(2027, 2, 25, 4, 0, tzinfo=UTC))
    first = Campaign.objects.get(store=store, purpose="birthday")
    # As before the key: a second campaign of 2027 (made in another language), and a manager's own birthday one.
    twin = Campaign.objects.create(
        store=store, purpose="birthday", name="2027年生日祝福", channel="sms", starts_at=first.starts_at,
        ends_at=first.ends_at, status="running",
    )  # fmt: skip
    own = campaign_for(store, everyone(store), purpose="birthday", name="Birthday wishes 2027")
    Campaign.objects.update(system_key="")

    migration.key_birthday_campaigns(apps, None)

    keys = dict(Campaign.objects.values_list("pk", "system_key"))
    assert (keys[first.pk], keys[twin.pk], keys[own.pk]) == ("birthday:2027", "", "")
    assert birthday_wishes_plan(store=store, now=datetime(2027, 2, 25, 4, 0, tzinfo=UTC)) == 0  # found by its key


def test_gift_tasks_are_planned_for_a_store_whose_own_segment_took_the_built_in_name():
    # The store's segment "High-value repeat buyers" kept the built-in from being made, and gift planning stopped
    # on the missing built-in (Segment.DoesNotExist) for the store.
    store = open_store()
    Segment.objects.filter(store=store, builtin="high_value_repeat").delete()
    Segment.objects.create(store=store, name="High-value repeat buyers", rules=[{"attribute": "age", "op": "gte",
                                                                                 "value": 200}])  # fmt: skip
    customer = _loyal_customer(store)

    assert gift_tasks_plan(store=store) == 1
    assert GiftTask.objects.get().customer == customer


def test_a_gift_task_goes_to_someone_still_serving_the_store():
    # The task went to an agent who had left (their login switched off, still listed on the store) or to a
    # dedicated owner who now serves other stores, and waited there for nobody.
    store = open_store()
    gone = AgentFactory(stores=[store], user__is_active=False)
    here = AgentFactory(stores=[store])
    moved = AgentFactory(stores=[open_store()])
    birthday = _in_days(store, 14)
    customers = [
        customer_with_orders(store, [300, 200, 100], amount="6000.00", birthday=date(1985, birthday.month,
                                                                                    birthday.day), **owner)
        for owner in ({}, {"dedicated_owner": moved}, {"dedicated_owner": gone})
    ]  # fmt: skip
    for _ in range(10):
        customer_with_orders(store, [50], amount="10.00")  # cheaper buyers, so the three score high
    attributes_refresh(store=store)

    assert gift_tasks_plan(store=store) == 3

    assert {task.customer_id: task.assignee for task in GiftTask.objects.all()} == {c.pk: here for c in customers}


@pytest.mark.parametrize("template", ["{nmae}，生日快乐", "{name:d}生日快乐", "{offer}生日快乐", "生日快乐，好评返现"])
def test_a_birthday_wish_nothing_could_send_is_refused_in_the_admin(admin_client, template):
    # Saved as typed, a wish with a misspelt or unfillable placeholder stopped the hourly birthday planning
    # (KeyError, ValueError) for its store and every store after it.
    store = open_store()
    form = {"store": store.pk, "default_cycle_days": 90, "silver_min_spent": "2000", "gold_min_spent": "5000",
            "platinum_min_spent": "10000", "vip_min_orders": 2, "birthday_wishes": "on", "birthday_days_before": 3,
            "birthday_template": template, "gift_days_before": 14}  # fmt: skip

    answer = admin_client.post("/admin/retention/retentionpolicy/add/", form)

    assert answer.status_code == 200 and "errorlist" in answer.text
    assert not RetentionPolicy.objects.filter(store=store).exists()
    fine = {**form, "birthday_template": "{name}您好，{store}祝您生日快乐"}
    assert admin_client.post("/admin/retention/retentionpolicy/add/", fine).status_code == 302


@pytest.fixture
def tasks_run_at_once():
    """Celery runs a task where it is sent (its own eager mode), so a task that fans out can be watched whole."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_store_whose_birthday_planning_fails_does_not_stop_the_other_stores(tasks_run_at_once):
    # The hourly run planned every store in one loop: the first store that raised (a wish saved before wishes were
    # checked) stopped the birthday wishes and gift tasks of every store after it.
    from retention.tasks import plan_birthdays

    broken, fine = open_store(), open_store()
    for store, template in ((broken, "{nmae}，生日快乐"), (fine, "{name}，生日快乐")):
        RetentionPolicy.objects.create(store=store, birthday_days_before=3, birthday_template=template)
        soon = _in_days(store, 3)
        customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day))

    plan_birthdays()

    assert CampaignContact.objects.filter(store=fine).count() == 1
    assert not CampaignContact.objects.filter(store=broken).exists()


def test_a_changed_birthday_wish_is_the_one_planned_from_then_on():
    # The wish was copied into the year's birthday campaign when the year's first wish was planned; a wish the
    # store rewrote in March still sent January's text until the next year.
    store = open_store()
    RetentionPolicy.objects.create(store=store, birthday_days_before=3, birthday_template="{name}，生日快乐")
    soon, later = _in_days(store, 3), _in_days(store, 4)
    first = customer_with_orders(store, [30], birthday=date(1990, soon.month, soon.day))
    second = customer_with_orders(store, [30], birthday=date(1990, later.month, later.day))
    birthday_wishes_plan(store=store)
    RetentionPolicy.objects.filter(store=store).update(
        birthday_template="{name}，{store}祝您生日快乐，新的一岁万事顺意"
    )

    store = type(store).objects.get(pk=store.pk)  # as the next hourly run reads it
    birthday_wishes_plan(store=store, now=timezone.now() + timedelta(days=1))

    bodies = dict(CampaignContact.objects.values_list("customer_id", "message_body"))
    assert "万事顺意" not in bodies[first.pk] and "万事顺意" in bodies[second.pk]


def _gift_task(store, customer, occasion):
    return GiftTask.objects.create(store=store, customer=customer, occasion_date=occasion)


@pytest.mark.parametrize(
    ("born", "band", "suits"),
    [
        # Turning 18 on next week's birthday: 17 today, 18 on the birthday the gift is for.
        (date(2008, 11, 30), {"age_min": 18}, True),
        # Turning 60: 59 today, 60 on the birthday, past a band that ends at 59.
        (date(1966, 11, 30), {"age_max": 59}, False),
        (date(1966, 11, 30), {"age_min": 60}, True),
    ],
)
def test_a_gifts_age_band_is_the_age_the_customer_turns_on_the_birthday_it_is_for(born, band, suits):
    store = StoreFactory(timezone="Asia/Shanghai")
    customer = customer_with_orders(store, [30], birthday=born, gender="female")
    task = _gift_task(store, customer, date(2026, 11, 30))
    gift = gift_create(store=store, name="礼盒", **band)

    with time_machine.travel(datetime(2026, 11, 23, 4, 0, tzinfo=UTC), tick=False):  # a week before, in Shanghai
        if suits:
            gift_task_send(task=task, gift=gift, actor=None)
        else:
            with pytest.raises(GiftUnsuitable) as refused:
                gift_task_send(task=task, gift=gift, actor=None)
            assert "turns 60" in refused.value.message

    task.refresh_from_db()
    assert (task.status == "sent") is suits


def test_a_feb_29_birthday_is_reached_on_feb_28_in_a_year_without_one():
    store = StoreFactory(timezone="Asia/Shanghai")
    # Born on Feb 29, 2008: 18 on Feb 28, 2026, the day the birthday falls on that year.
    customer = customer_with_orders(store, [30], birthday=date(2008, 2, 29))
    task = _gift_task(store, customer, date(2026, 2, 28))
    adults = gift_create(store=store, name="酒具", age_min=18)

    with time_machine.travel(datetime(2026, 2, 20, 4, 0, tzinfo=UTC), tick=False):
        gift_task_send(task=task, gift=adults, actor=None)

    task.refresh_from_db()
    assert task.status == "sent"


@pytest.mark.parametrize(
    ("zone", "midnight", "sent_from"),
    [
        # Thursday 25 February 2027 begins at these instants; the wish goes at 10:00 that day, in the store's zone.
        ("Europe/Berlin", datetime(2027, 2, 24, 23, 0, tzinfo=UTC), datetime(2027, 2, 25, 9, 0, tzinfo=UTC)),
        ("America/New_York", datetime(2027, 2, 25, 5, 0, tzinfo=UTC), datetime(2027, 2, 25, 15, 0, tzinfo=UTC)),
        ("Asia/Shanghai", datetime(2027, 2, 24, 16, 0, tzinfo=UTC), datetime(2027, 2, 25, 2, 0, tzinfo=UTC)),
        ("Asia/Urumqi", datetime(2027, 2, 24, 18, 0, tzinfo=UTC), datetime(2027, 2, 25, 4, 0, tzinfo=UTC)),
    ],
)
def test_a_feb_29_wish_three_days_ahead_is_planned_from_the_stores_own_midnight(zone, midnight, sent_from):
    store = StoreFactory(timezone=zone)
    RetentionPolicy.objects.create(store=store, birthday_days_before=3)
    leapling = customer_with_orders(store, [30], birthday=date(2000, 2, 29))
    with time_machine.travel(midnight - timedelta(minutes=1), tick=False):
        assert birthday_wishes_plan(store=store) == 0  # Feb 27 is three days away: not yet
    with time_machine.travel(midnight, tick=False):
        assert birthday_wishes_plan(store=store) == 1  # Feb 28, the birthday in 2027
    assert CampaignContact.objects.get(customer=leapling).due_at == sent_from
