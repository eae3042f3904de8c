"""A date range on an admin list is read in an index that holds the date (ADR 0033): within a store on the tables whose
index leads with the store (orders, follow-ups, reviews, the contact ledger), on its own where the date leads (the
audit log); and the list is then sorted by that date, which the index answers with the page's LIMIT."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import ContactLog, FollowUp
from crm.models import AuditLog, Order
from reviews.models import Review
from tests.factories import OrderFactory, StoreFactory
from tests.query_plans import scans_of
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db

WITHIN_A_STORE = {Order: "placed_at", FollowUp: "window_start", Review: "posted_at", ContactLog: "at"}


def _url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _range(field: str, days_ago: int, days: int) -> dict[str, str]:
    """As Django's date filter writes a range: from a midnight, aware, for so many days."""
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return {f"{field}__gte": str(since), f"{field}__lt": str(since + timedelta(days=days))}


@pytest.mark.parametrize(("model", "field"), WITHIN_A_STORE.items(), ids=lambda v: getattr(v, "__name__", v))
def test_a_date_range_is_offered_once_a_store_is_chosen(admin_client, model, field):
    store, _other = BUILDERS[model]().store, BUILDERS[model]().store

    anywhere = admin_client.get(_url(model)).content.decode()
    in_store = admin_client.get(_url(model), {"store__id__exact": store.pk}).content.decode()

    assert f"{field}__gte" not in anywhere
    assert f"{field}__gte" in in_store


@pytest.mark.parametrize(("model", "field"), WITHIN_A_STORE.items(), ids=lambda v: getattr(v, "__name__", v))
def test_a_date_range_without_a_store_is_refused_not_read_over_every_store(admin_client, model, field):
    BUILDERS[model](), BUILDERS[model]()

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(_url(model), _range(field, 30, 30))

    assert page.status_code == 302 and page["Location"].endswith("?e=1")  # Django's answer to a lookup it refuses
    assert [q["sql"] for q in queries if f'FROM "{model._meta.db_table}"' in q["sql"]] == []


def test_choosing_every_store_again_drops_the_date_range(admin_client):
    order, _other = OrderFactory(), OrderFactory()

    page = admin_client.get(_url(Order), {"store__id__exact": order.store_id, **_range("placed_at", 7, 7)})

    cl = page.context["cl"]
    (stores,) = [spec for spec in cl.filter_specs if spec.field_path == "store"]
    (every_store,) = [c for c in stores.choices(cl) if "store__id__exact" not in c["query_string"]]
    assert "placed_at" not in every_store["query_string"]


def test_with_one_store_a_date_range_is_read_within_it(admin_client):
    order = OrderFactory(placed_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(_url(Order), _range("placed_at", 1, 2))

    assert [row.pk for row in page.context["cl"].result_list] == [order.pk]
    reads = [q["sql"] for q in queries if 'FROM "crm_order"' in q["sql"] and " ORDER BY " in q["sql"]]
    assert reads and all(f'"crm_order"."store_id" = {order.store_id}' in sql for sql in reads)


def test_a_date_range_within_a_store_is_sorted_by_the_date_newest_first(admin_client):
    store = StoreFactory()
    now = timezone.now()
    older, newer = (OrderFactory(customer__store=store, placed_at=now - timedelta(hours=h)) for h in (1, 3))

    page = admin_client.get(_url(Order), {"store__id__exact": store.pk, **_range("placed_at", 1, 2)})

    assert [row.pk for row in page.context["cl"].result_list] == [older.pk, newer.pk]


def _the_page_query(client, model, query) -> str:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url(model), query)
    assert page.status_code == 200
    table = model._meta.db_table
    (sql,) = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and " ORDER BY " in q["sql"]]
    return sql


def test_a_month_of_a_store_s_orders_a_year_back_is_read_in_the_store_s_date_index_among_200000(admin_client):
    stores = [StoreFactory() for _ in range(5)]
    seed = OrderFactory(customer__store=stores[0])
    columns = [f.column for f in Order._meta.concrete_fields
               if f.column not in {"id", "store_id", "external_id", "placed_at"}]  # fmt: skip
    with connection.cursor() as cursor:
        # A year of orders, oldest first, as they come: the ids grow with the time they were placed.
        cursor.execute(
            f"INSERT INTO crm_order (store_id, external_id, placed_at, {', '.join(columns)}) "  # noqa: S608
            f"SELECT (%s::bigint[])[1 + n %% 5], 'x' || n, now() - (200000 - n) * interval '160 seconds', "
            f"{', '.join(columns)} FROM crm_order, generate_series(1, 200000) AS n WHERE id = %s",
            [[s.pk for s in stores], seed.pk],
        )
        cursor.execute("ANALYZE crm_order")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")

    sql = _the_page_query(admin_client, Order, {"store__id__exact": stores[2].pk, **_range("placed_at", 300, 30)})

    # Not every newer order read backwards through the primary key, filtered (what ORDER BY id DESC chose), nor the
    # table: the store's month, in its (store, placed_at) index.
    scans = scans_of(sql, "crm_order")
    assert scans and all(index == "order_store_placed" for _node, index in scans), sql


def test_a_month_of_the_audit_log_a_year_back_is_read_in_its_date_index_among_200000(admin_client):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_auditlog (action, target, data, at) SELECT 'case_closed', 'case #' || n, '{}', "
            "now() - (200000 - n) * interval '160 seconds' FROM generate_series(1, 200000) AS n"
        )
        cursor.execute("ANALYZE crm_auditlog")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")

    sql = _the_page_query(admin_client, AuditLog, _range("at", 300, 30))

    scans = scans_of(sql, "crm_auditlog")
    # In its index on the time, not every newer entry read backwards through the primary key.
    assert scans and all(index and index.startswith("crm_auditlog_at") for _node, index in scans), sql
