"""The admin's big lists (customers, orders, reviews, cases, follow-ups) are searched by the keys operators are given,
each an exact lookup an index answers: never LIKE '%q%' over every row, and no count of the whole table."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import FollowUp
from crm.models import AuditLog, Case, Customer, Order
from reviews.models import Review
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.query_plans import scans_of
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db

SEARCHED = [Customer, Order, Review, Case, FollowUp]
# A LIKE whose pattern starts with a wildcard, as PostgreSQL received it (Django's icontains: LIKE UPPER('%q%')).
LIKE_ANYWHERE = re.compile(r"LIKE\s+(?:UPPER\()?'%")


def _search(client, model, term: str) -> tuple[set[int], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/", {"q": term})
    assert page.status_code == 200
    return {row.pk for row in page.context["cl"].result_list}, [query["sql"] for query in queries]


def _customer_and_order(row) -> tuple[Customer, Order | None]:
    if isinstance(row, Customer):
        return row, None
    if isinstance(row, Order):
        return row.customer, row
    return row.customer, row.order


def _as_typed(e164: str) -> str:
    """'+8613800000001' as an operator reads it out: '138 0000 0001'."""
    national = e164.removeprefix("+86")
    return f"{national[:3]} {national[3:7]} {national[7:]}"


@pytest.mark.parametrize("model", SEARCHED, ids=lambda model: model.__name__)
def test_a_search_finds_a_row_by_its_customer_s_number_their_id_or_its_order_number(admin_client, model):
    row, other = BUILDERS[model](), BUILDERS[model]()
    customer, order = _customer_and_order(row)
    terms = [_as_typed(customer.phone), customer.phone, customer.external_id]
    terms += [order.external_id] if order is not None else []
    terms += [row.external_id] if model is Review else []

    for term in terms:
        found, queries = _search(admin_client, model, term)

        assert row.pk in found and other.pk not in found, term
        assert [sql for sql in queries if LIKE_ANYWHERE.search(sql)] == [], term
        # No count, of the table or of what the search found: the paginator reads the ids it found
        # (crm.admin_mixins.paging).
        assert [sql for sql in queries if "COUNT(" in sql and model._meta.db_table in sql] == [], term


@pytest.mark.parametrize("model", SEARCHED, ids=lambda model: model.__name__)
def test_a_search_costs_the_same_queries_for_5_rows_as_for_50(admin_client, model):
    rows = [BUILDERS[model]() for _ in range(5)]
    customer, _order = _customer_and_order(rows[0])
    _search(admin_client, model, customer.phone)  # the first request of a test also loads what Django caches

    few = len(_search(admin_client, model, customer.phone)[1])
    for _ in range(45):
        BUILDERS[model]()

    assert len(_search(admin_client, model, customer.phone)[1]) == few


def test_a_customer_is_looked_up_in_each_store_s_index_among_60000(admin_client):
    stores = [StoreFactory() for _ in range(5)]
    wanted = CustomerFactory(store=stores[3], phone="+8613912345678", external_id="buyer-7")
    columns = [f.column for f in Customer._meta.concrete_fields if f.column not in {"id", "store_id", "external_id"}]
    columns = [c for c in columns if c != "phone"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO crm_customer (store_id, external_id, phone, {', '.join(columns)}) "  # noqa: S608
            f"SELECT (%s::bigint[])[1 + n %% 5], 'c' || n, '+86138' || lpad(n::text, 8, '0'), {', '.join(columns)} "
            f"FROM crm_customer, generate_series(1, 60000) AS n WHERE id = %s",
            [[s.pk for s in stores], wanted.pk],
        )
        cursor.execute("ANALYZE crm_customer")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")

    for term in ("139 1234 5678", "buyer-7"):
        found, queries = _search(admin_client, Customer, term)

        assert found == {wanted.pk}
        reading = [sql for sql in queries if 'FROM "crm_customer"' in sql]
        for sql in reading:
            assert not {scan for scan in scans_of(sql, "crm_customer") if "Seq" in scan[0]}, sql


def test_the_search_box_says_what_it_takes_in_chinese(admin_client):
    admin_client.cookies["django_language"] = "zh-hans"

    texts = {
        Customer: "电话号码（任意写法均可），或顾客在订单系统中的编号，需完整输入。",
        Order: "订单号，或顾客的电话号码或其在订单系统中的编号，需完整输入。",
        Review: "评价在平台上的编号、订单号，或顾客的电话号码或其在订单系统中的编号，需完整输入。",
    }
    for model, text in texts.items():
        page = admin_client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/").content.decode()
        assert text in page, model


# -- the audit log ----------------------------------------------------------------------------------------------------


def _audited(action: str, target: str, actor=None) -> AuditLog:
    return AuditLog.objects.create(actor=actor, action=action, target=target, at=timezone.now())


def test_the_audit_log_is_searched_by_a_target_or_its_beginning_an_action_or_a_user_s_name(admin_client):
    reveal = _audited("customer.phone_revealed", "customer:12", actor=UserFactory(username="wang.li"))
    close = _audited("case_closed", "case #120")
    _audited("remedy_approved", "case #7")
    expected = {
        "customer:12": {reveal.pk},
        "case #12": {close.pk},  # the beginning of a target
        "customer.phone_revealed": {reveal.pk},
        "wang.li": {reveal.pk},
        "12": set(),  # a part from the middle: that reads every row
        "case_closed ": {close.pk},
    }

    for term, rows in expected.items():
        found, queries = _search(admin_client, AuditLog, term)

        assert found == rows, term
        assert [sql for sql in queries if LIKE_ANYWHERE.search(sql)] == [], term


def test_the_audit_log_is_searched_through_its_indexes_among_60000(admin_client):
    wanted = _audited("customer.phone_revealed", "customer:777777", actor=UserFactory(username="wang.li"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_auditlog (action, target, data, at) "
            "SELECT (ARRAY['case_closed', 'remedy_approved', 'report_exported'])[1 + n % 3], 'case #' || n, '{}', "
            "now() - n * interval '1 minute' FROM generate_series(1, 60000) AS n"
        )
        cursor.execute("ANALYZE crm_auditlog")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")

    for term in ("customer:777777", "customer:7777", "customer.phone_revealed", "wang.li"):
        found, queries = _search(admin_client, AuditLog, term)

        assert found == {wanted.pk}, term
        reading = [sql for sql in queries if 'FROM "crm_auditlog"' in sql]
        assert reading, term
        for sql in reading:
            scans = scans_of(sql, "crm_auditlog")
            # Through the indexes that hold what is searched: not every row, nor every row newest first.
            assert all(index is not None and "crm_auditlog_at" not in index for _node, index in scans), (term, scans)
