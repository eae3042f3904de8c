"""The customer list's search (crm.selectors.customers.customer_search, customer_ids_matching): what each way of
finding a customer finds, the scope, and on PostgreSQL that each reads its own index (ADR 0042)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Customer
from crm.selectors.customers import customer_search
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory
from tests.query_plans import scans_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory()


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


def _found(agent, q, **kwargs) -> list[str]:
    return [c.name for c in customer_search(user=agent.user, q=q, **kwargs).rows]


def test_a_name_of_three_characters_or_more_is_found_anywhere_in_the_name(store, agent):
    CustomerFactory(store=store, name="欧阳娜娜")
    CustomerFactory(store=store, name="John Smith")
    CustomerFactory(store=store, name="王芳")
    assert _found(agent, "阳娜娜") == ["欧阳娜娜"]
    assert _found(agent, "smith") == ["John Smith"]
    assert _found(agent, " SMI ") == ["John Smith"]
    assert _found(agent, "jo") == ["John Smith"]  # one or two letters: the start, in any case
    assert _found(agent, "欧阳") == ["欧阳娜娜"]


def test_a_name_of_one_or_two_characters_finds_names_beginning_with_them(store, agent):
    # Fewer characters than a trigram: a surname, or a surname and a given name, as agents type them.
    CustomerFactory(store=store, name="张伟")
    CustomerFactory(store=store, name="张伟强")
    CustomerFactory(store=store, name="李伟")
    assert _found(agent, "张伟") == ["张伟", "张伟强"]
    assert _found(agent, "张") == ["张伟", "张伟强"]
    assert _found(agent, "伟") == []
    assert _found(agent, "jo") == []


def test_the_last_four_digits_of_a_phone_and_an_order_number_find_their_customer(store, agent):
    caller = CustomerFactory(store=store, name="王芳", phone="+8613812345678")
    CustomerFactory(store=store, name="李娜", phone="+8613856781234")
    OrderFactory(store=store, customer=CustomerFactory(store=store, name="刘洋"), external_id="TM-778899")
    assert _found(agent, "5678") == ["王芳"]
    assert _found(agent, "1234") == ["李娜"]  # the last four, not any four
    assert _found(agent, "TM-778899") == ["刘洋"]
    OrderFactory(store=store, customer=caller, external_id="5678")
    assert _found(agent, "5678") == ["王芳"]  # found two ways, listed once


def test_another_stores_customers_are_never_found(store, agent):
    other = StoreFactory()
    CustomerFactory(store=other, name="王芳芳", phone="+8613800005678")
    OrderFactory(store=other, customer=CustomerFactory(store=other, name="刘洋"), external_id="TM-1")
    assert _found(agent, "王芳芳") == _found(agent, "5678") == _found(agent, "TM-1") == _found(agent, "") == []


def test_a_superuser_finds_every_stores_customers_and_an_owner_only_their_own(store, agent, django_user_model):
    mine = CustomerFactory(store=store, name="王芳", dedicated_owner=agent)
    CustomerFactory(store=store, name="王芳芳")
    CustomerFactory(store=StoreFactory(), name="王芳菲")
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert sorted(c.name for c in customer_search(user=admin, q="王芳").rows) == ["王芳", "王芳芳", "王芳菲"]
    assert _found(agent, "王芳", owner_only=True) == [mine.name]


def test_the_list_pages_in_name_order(store, agent):
    for n in range(120):
        CustomerFactory(store=store, name=f"客户{n:03d}")
    first, third = customer_search(user=agent.user, page=1), customer_search(user=agent.user, page=3)
    assert [c.name for c in first.rows][:2] == ["客户000", "客户001"] and first.has_next
    assert [c.name for c in third.rows] == [f"客户{n:03d}" for n in range(100, 120)] and not third.has_next


def test_a_search_pages_in_name_order(store, agent):
    for n in reversed(range(60)):
        CustomerFactory(store=store, name=f"张伟{n:02d}")
    first, second = customer_search(user=agent.user, q="张伟"), customer_search(user=agent.user, q="张伟", page=2)
    assert [c.name for c in first.rows] == [f"张伟{n:02d}" for n in range(50)] and first.has_next
    assert [c.name for c in second.rows] == [f"张伟{n:02d}" for n in range(50, 60)] and not second.has_next
    assert not first.too_many


def test_a_search_finding_more_than_can_be_sorted_says_so_and_shows_the_first_found(store, agent, monkeypatch, client):
    from crm.selectors import customers

    monkeypatch.setattr(customers, "MATCHES_SHOWN", 5)
    for n in range(7):
        CustomerFactory(store=store, name=f"张伟{n}")
    CustomerFactory(store=store, name="张伟强")
    found = customer_search(user=agent.user, q="张伟")
    assert found.too_many and len(found.rows) == 5
    assert [c.name for c in found.rows] == sorted(c.name for c in found.rows)
    assert not customer_search(user=agent.user, q="张伟强").too_many
    client.force_login(agent.user)
    page = client.get("/customers/?q=张伟").text
    assert 'data-testid="too-many-matches"' in page and "first 5 found" in page
    assert 'data-testid="too-many-matches"' not in client.get("/customers/?q=张伟强").text


@pytest.fixture
def many_customers(store):
    """60,000 customers of the store and 6,000 of another, each with an order, statistics taken, PostgreSQL's
    default costs: enough that reading every customer costs more than any index."""
    other = StoreFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO crm_customer (external_id, name, phone, gender, region, personality_type, interests, notes,
                contact_preference, sms_opt_out, vip_tier, created_at, updated_at, store_id, marketing_consent_source)
            SELECT 'c' || g, substr('王李张刘陈杨赵黄周吴', 1 + g %% 10, 1)
                   || substr('伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平', 1 + (g / 10) %% 20, 1) || g,
                   '+86138' || lpad(g::text, 8, '0'), 'unknown', '', '', '[]', '', 'any', false, 0, now(), now(),
                   CASE WHEN g %% 11 = 0 THEN %s ELSE %s END, ''
            FROM generate_series(1, 66000) g
            """,
            [other.pk, store.pk],
        )
        cursor.execute(
            """
            INSERT INTO crm_order (external_id, total_amount, currency, items, placed_at, courier, tracking_number,
                status, created_at, updated_at, customer_id, store_id, coupon_code)
            SELECT 'T' || c.id, 100, 'CNY', '[]', now(), '', '', 'placed', now(), now(), c.id, c.store_id, ''
            FROM crm_customer c
            """
        )
        cursor.execute("ANALYZE crm_customer")
        cursor.execute("ANALYZE crm_order")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")
    return other


def _customer_scans(agent, q: str) -> set:
    """How every query of the search reads crm_customer."""
    with CaptureQueriesContext(connection) as queries:
        customer_search(user=agent.user, q=q)
    scans = set()
    for sql in (q["sql"] for q in queries if "crm_customer" in q["sql"]):
        scans |= scans_of(sql, "crm_customer")
    return scans


def test_on_postgresql_the_list_and_each_search_read_their_indexes(store, agent, many_customers):
    a_name = Customer.objects.filter(store=store).order_by("id")[500].name
    assert _customer_scans(agent, "") == {("Index Scan", "customer_store_name")}
    for q in (a_name[1:], a_name[:2], "0500", "T12345"):
        scans = _customer_scans(agent, q)
        assert not {scan for scan in scans if "Seq Scan" in scan[0]}, (q, scans)
    assert ("Bitmap Heap Scan", "customer_name_trigram") in _customer_scans(agent, a_name[1:])
    assert {index for _, index in _customer_scans(agent, "0500")} >= {"customer_store_phone_last4"}
    assert {index for _, index in _customer_scans(agent, a_name[:2])} >= {"customer_store_name_c"}
    manager = AgentFactory(stores=[store, many_customers])
    assert _customer_scans(manager, "") == {("Index Scan", "customer_name")}
