import importlib
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from crm.errors import InvalidInput
from crm.models import Case, Customer
from retention.models import CustomerAttributes, Segment
from retention.rules import BUILTINS
from retention.selectors import segment_explain, segment_members
from retention.services.segments import (
    attributes_refresh,
    attributes_stale_stores,
    segment_create,
    segments_ensure_builtin,
)
from tests.factories import CustomerFactory, ReviewFactory, StoreFactory

from .conftest import buy, customer_with_orders

pytestmark = pytest.mark.django_db


def _builtin(store, key):
    segments_ensure_builtin(store=store)
    return Segment.objects.get(store=store, builtin=key)


def test_refresh_derives_cycle_overdue_scores_products_and_vip_tier():
    store = StoreFactory()
    lapsed = customer_with_orders(store, [263, 203, 143], amount="4000.00")  # 60-day cycle, last 143 days ago
    fresh = customer_with_orders(store, [5])
    never = CustomerFactory(store=store, birthday=date(1990, 7, 14), gender="female")
    buy(fresh, days_ago=1, sku="SKU-9", category="bags")

    written = attributes_refresh(store=store)

    assert written == 3
    a = CustomerAttributes.objects.get(customer=lapsed)
    assert (a.orders_count, a.days_since_last, a.cycle_days, a.overdue_days) == (3, 143, 60, 83)
    assert a.products == "|SKU-1|" and a.categories == "|scarves|"
    assert a.vip_tier == Customer.VipTier.PLATINUM  # 12,000 spent over 3 orders; platinum from 10,000
    assert Customer.objects.get(pk=lapsed.pk).vip_tier == Customer.VipTier.PLATINUM  # copied onto the customer
    f = CustomerAttributes.objects.get(customer=fresh)
    assert f.products == "|SKU-1|SKU-9|" and f.recency_score == 5 and f.overdue_days == 0
    n = CustomerAttributes.objects.get(customer=never)
    assert (n.orders_count, n.recency_score, n.birthday_month, n.gender) == (0, 0, 7, "female")


def test_refresh_counts_complaints_open_cases_and_ratings():
    store = StoreFactory()
    unhappy = customer_with_orders(store, [20])
    Case.objects.create(store=store, customer=unhappy, source=Case.Source.MANUAL, opened_at=timezone.now())
    ReviewFactory(store=store, customer=unhappy, rating=1)
    ReviewFactory(store=store, customer=unhappy, rating=5)
    attributes_refresh(store=store)
    a = CustomerAttributes.objects.get(customer=unhappy)
    assert (a.complaints_90d, a.open_cases, a.bad_reviews_30d, float(a.avg_rating)) == (1, 1, 1, 3.0)
    assert list(segment_members(segment=_builtin(store, "recently_unhappy")).values_list("customer_id", flat=True)) == [
        unhappy.pk
    ]


def test_refresh_is_an_upsert_that_follows_new_orders():
    store = StoreFactory()
    customer = customer_with_orders(store, [100])
    attributes_refresh(store=store)
    buy(customer, days_ago=2)
    attributes_refresh(store=store)
    assert CustomerAttributes.objects.filter(customer=customer).count() == 1
    assert CustomerAttributes.objects.get(customer=customer).orders_count == 2


def test_lapsed_customer_is_explained_with_days_and_cycle():
    store = StoreFactory()
    lapsed = customer_with_orders(store, [263, 203, 143])
    customer_with_orders(store, [10, 40])  # on cycle
    attributes_refresh(store=store)
    segment = _builtin(store, "lapsed")
    members = list(segment_members(segment=segment))
    assert [m.customer_id for m in members] == [lapsed.pk]
    assert "the last purchase was 143 days ago, typical cycle 60" in segment_explain(segment=segment, attrs=members[0])


def test_birthdays_next_month_and_first_time_builtins():
    store = StoreFactory()
    today = timezone.localdate(timezone.now(), store.tzinfo)
    next_month = today.month % 12 + 1
    born = customer_with_orders(store, [30], birthday=date(1985, next_month, 1))
    customer_with_orders(store, [30, 90], birthday=date(1985, today.month, 1))
    attributes_refresh(store=store)
    assert [m.customer_id for m in segment_members(segment=_builtin(store, "birthday_next_month"))] == [born.pk]
    assert segment_members(segment=_builtin(store, "first_time")).count() == 1


def test_a_store_segment_from_rules_and_bad_rules_refused():
    store = StoreFactory()
    big = customer_with_orders(store, [10, 50], amount="3000.00", region="浙江")
    customer_with_orders(store, [10], amount="100.00", region="浙江")
    attributes_refresh(store=store)
    segment = segment_create(
        store=store,
        name="浙江大客户",
        rules=[
            {"attribute": "total_spent", "op": "gte", "value": "5000"},
            {"attribute": "region", "op": "eq", "value": "浙江"},
            {"attribute": "products", "op": "contains", "value": "SKU-1"},
        ],
    )
    assert [m.customer_id for m in segment_members(segment=segment)] == [big.pk]
    with pytest.raises(InvalidInput) as bad:
        segment_create(store=store, name="x", rules=[{"attribute": "orders_count", "op": "gte", "value": "many"}])
    assert bad.value.field == "rules.0.value"
    with pytest.raises(InvalidInput):
        segment_create(store=store, name="empty", rules=[])
    assert not Segment.objects.filter(name__in=["x", "empty"]).exists()


def test_an_order_counts_once_whatever_its_items_and_brings_every_product():
    from .parity_data import COLUMNS, NOW, attributes, build

    store = build()
    attributes_refresh(store=store, now=NOW)
    rows = {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in _by_customer(store, attributes(store))}
    two_items = rows["c2"]  # one order of SKU-3, one order of SKU-9 and SKU-3
    assert (two_items["orders_count"], two_items["total_spent"]) == ("2", "949.00")
    assert set(two_items["products"].strip("|").split("|")) == {"SKU-3", "SKU-9"}
    assert two_items["categories"] == "|gifts|"
    no_items = rows["c4"]  # five orders of 2,500 and one without items of 70
    assert (no_items["orders_count"], no_items["total_spent"], no_items["days_since_last"]) == ("6", "12570.00", "2")


def _by_customer(store, rows):
    external_ids = store.customers.order_by("external_id").values_list("external_id", flat=True)
    return [[external_id, *row] for external_id, row in zip(external_ids, rows, strict=True)]


def test_the_refreshed_tables_leave_room_for_same_page_updates():
    """ADR 0018: a refresh's updates (every attribute row, changed tiers on customers) stay on their page and
    touch no index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname IN %s",
                       [("retention_customerattributes", "crm_customer")])  # fmt: skip
        options = dict(cursor.fetchall())
    assert "fillfactor=45" in options["retention_customerattributes"]
    assert "fillfactor=85" in options["crm_customer"]


def test_a_new_store_has_the_built_in_segments_before_any_page_is_opened():
    store = StoreFactory()
    assert set(Segment.objects.filter(store=store).values_list("builtin", flat=True)) == set(BUILTINS)


def test_the_migration_gives_a_store_made_before_it_the_built_in_segments(settings):
    from django.apps import apps

    settings.LANGUAGE_CODE = "zh-hans"  # the site's (the tests' is English)
    migration = importlib.import_module("retention.migrations.0004_builtin_segments_for_every_store")
    store = StoreFactory()
    Segment.objects.filter(store=store, builtin__in=["lapsed", "first_time"]).delete()

    migration.create_builtin_segments(apps, None)
    migration.create_builtin_segments(apps, None)  # once

    assert sorted(Segment.objects.filter(store=store).values_list("builtin", flat=True)) == sorted(BUILTINS)
    assert Segment.objects.get(store=store, builtin="lapsed").name == "流失（超出回购周期）"


def test_a_segment_may_not_take_a_built_in_segments_name_in_either_language():
    # A manager's segment named like a built-in one (in English or Chinese, whatever the reader's language) was
    # accepted, and two segments of one name stood side by side in every list.
    store = StoreFactory()
    for name in ("高价值回头客", "High-value repeat buyers", " recently UNHAPPY "):
        with pytest.raises(InvalidInput) as refused:
            segment_create(store=store, name=name, rules=[{"attribute": "orders_count", "op": "gte", "value": 2}])
        assert refused.value.field == "name" and "built-in segment" in refused.value.message, name
    assert not Segment.objects.filter(store=store, builtin="").exists()
    segment_create(store=store, name="回头客", rules=[{"attribute": "orders_count", "op": "gte", "value": 2}])
    with pytest.raises(InvalidInput) as twice:
        segment_create(store=store, name="回头客", rules=[{"attribute": "orders_count", "op": "gte", "value": 3}])
    assert twice.value.field == "name" and "already has a segment of that name" in twice.value.message


def _store_whose_own_segment_took_a_built_in_name():
    """A store made before every store had the built-ins (or loaded from a fixture), whose manager named a segment
    like the built-in loyal buyers: the built-in row is missing and the name is taken."""
    store = StoreFactory()
    Segment.objects.filter(store=store, builtin="high_value_repeat").delete()
    own = Segment.objects.create(
        store=store, name="High-value repeat buyers", rules=[{"attribute": "orders_count", "op": "gte", "value": 9}]
    )
    return store, own


def test_a_built_in_segment_is_made_beside_a_store_segment_that_took_its_name():
    # The built-in could not be made (the store's segment held its name), so the gift planning, which reads it,
    # failed for that store.
    store, own = _store_whose_own_segment_took_a_built_in_name()

    segments_ensure_builtin(store=store)

    builtin = Segment.objects.get(store=store, builtin="high_value_repeat")
    assert builtin.pk != own.pk and builtin.rules == []
    own.refresh_from_db()
    assert (own.name, own.builtin) == ("High-value repeat buyers", "")


def test_the_migration_gives_every_store_its_built_ins_whatever_its_own_segments_are_named():
    from django.apps import apps

    migration = importlib.import_module("retention.migrations.0007_segment_names_unique_among_own")
    store, own = _store_whose_own_segment_took_a_built_in_name()

    migration.create_builtin_segments(apps, None)

    assert sorted(Segment.objects.filter(store=store).exclude(builtin="").values_list("builtin", flat=True)) == sorted(
        BUILTINS
    )
    assert Segment.objects.get(pk=own.pk).builtin == ""


@pytest.mark.parametrize(
    "attribute, op, value",
    [
        ("birthday_month", "eq", "13"),
        ("birthday_month", "eq", "0"),
        ("recency_score", "eq", "9"),
        ("monetary_score", "gte", "0"),
        ("vip_tier", "gte", "4"),
        ("orders_count", "gte", "-1"),
        ("orders_count", "gte", "99999999999999999999"),
        ("age", "lte", "1000"),
        ("avg_rating", "gte", "7"),
        ("total_spent", "gte", "-5"),
        ("total_spent", "gte", "99999999999999999999999"),
        ("total_spent", "gte", "0.0000000000001"),
    ],
)
def test_a_rule_no_customer_could_ever_meet_is_refused_saying_the_range(attribute, op, value):
    # Saved as asked, such a rule made a segment that was always empty, with nothing to say why.
    store = StoreFactory()
    with pytest.raises(InvalidInput) as refused:
        segment_create(store=store, name="odd", rules=[{"attribute": attribute, "op": op, "value": value}])
    assert refused.value.field == "rules.0.value"
    assert not Segment.objects.filter(store=store, name="odd").exists()


def test_a_segment_has_at_most_eight_rules():
    store = StoreFactory()
    rules = [{"attribute": "orders_count", "op": "gte", "value": n} for n in range(9)]
    with pytest.raises(InvalidInput) as refused:
        segment_create(store=store, name="many", rules=rules)
    assert refused.value.field == "rules" and "at most 8 rules" in refused.value.message
    assert segment_create(store=store, name="many", rules=rules[:8]).rules[-1]["value"] == 7


def test_rule_values_at_the_ends_of_their_range_are_kept():
    store = StoreFactory()
    rules = [
        {"attribute": "birthday_month", "op": "eq", "value": "12"},
        {"attribute": "recency_score", "op": "gte", "value": "1"},
        {"attribute": "vip_tier", "op": "lte", "value": "3"},
        {"attribute": "total_spent", "op": "gte", "value": "0.01"},
        {"attribute": "avg_rating", "op": "lte", "value": "5"},
        {"attribute": "orders_count", "op": "gte", "value": "-0"},
    ]
    assert [r["value"] for r in segment_create(store=store, name="ends", rules=rules).rules] == [
        12, 1, 3, "0.01", "5", 0
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "member"),
    [
        (datetime(2027, 2, 27, 15, 59, tzinfo=UTC), False),  # 23:59 on Feb 27 in Shanghai: 34
        (datetime(2027, 2, 27, 16, 0, tzinfo=UTC), True),  # 00:00 on Feb 28 in Shanghai (still Feb 27 in UTC): 35
        (datetime(2027, 3, 1, 2, 0, tzinfo=UTC), True),
    ],
)
def test_a_customer_born_on_feb_29_is_in_an_age_segment_from_feb_28_in_a_year_without_one(now, member):
    # Born on 29 February 1992: 35 on 28 February 2027, the day of their birthday wish, gift and letter for 35.
    store = StoreFactory(timezone="Asia/Shanghai")
    leapling = CustomerFactory(store=store, birthday=date(1992, 2, 29))
    segment = segment_create(store=store, name="35+", rules=[{"attribute": "age", "op": "gte", "value": "35"}])
    attributes_refresh(store=store, now=now)
    assert (leapling.pk in segment_members(segment=segment).values_list("customer_id", flat=True)) is member


def test_a_stores_attributes_are_stale_from_its_own_midnight_not_the_workers():
    """Ages and days since the last order move on at each store's midnight: beat's hourly sweep refreshes a store once
    its own date has passed the last refresh's, and leaves a store whose day has not turned yet."""
    shanghai, berlin = StoreFactory(timezone="Asia/Shanghai"), StoreFactory(timezone="Europe/Berlin")
    never = StoreFactory(timezone="America/New_York")
    for store in (shanghai, berlin, never):
        CustomerFactory(store=store, birthday=date(1990, 3, 11))
    refreshed = datetime(2027, 3, 10, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai, 16:30 in Berlin
    for store in (shanghai, berlin):
        attributes_refresh(store=store, now=refreshed)

    assert set(attributes_stale_stores(now=datetime(2027, 3, 10, 15, 59, tzinfo=UTC))) == {never.pk}
    # 00:00 on 11 March in Shanghai; still 17:00 on 10 March in Berlin.
    assert set(attributes_stale_stores(now=datetime(2027, 3, 10, 16, 0, tzinfo=UTC))) == {shanghai.pk, never.pk}
    everyone = {shanghai.pk, berlin.pk, never.pk}
    assert set(attributes_stale_stores(now=datetime(2027, 3, 10, 23, 0, tzinfo=UTC))) == everyone  # 00:00 in Berlin


def test_beats_hourly_sweep_refreshes_the_stale_stores_and_then_none(settings):
    from config.celery import app
    from retention.tasks import refresh_stale

    app.finalize()
    (entry,) = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "retention.refresh_stale"]
    assert entry["schedule"] == 3600.0 and not entry.get("args") and not entry.get("kwargs")

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        store = StoreFactory(timezone="Asia/Shanghai")
        customer = CustomerFactory(store=store, birthday=date(1990, 3, 11))
        assert refresh_stale() >= 1
        assert CustomerAttributes.objects.get(customer=customer).age is not None
        assert store.pk not in attributes_stale_stores()
        assert refresh_stale() == 0
    finally:
        app.conf.task_always_eager = False
