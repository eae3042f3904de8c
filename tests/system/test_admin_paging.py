"""A list of a table that grows with the stores' business is paged without counting its rows (ADR 0033): exact up to
the paginator's bound, read as ids with a LIMIT; past it, PostgreSQL's planner estimate, shown as "about N", with
every page still reachable. Settings (a few rows a store) keep Django's exact count."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import ContactLog, FollowUp, TelephonyEvent
from crm.admin_mixins.paging import BoundedCountPaginator
from crm.models import AuditLog, InboundEvent, Order, Store
from retention.models import CampaignContact
from reviews.models import Review
from tests.factories import OrderFactory, StoreFactory
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db

BIG = [Order, FollowUp, Review, AuditLog, InboundEvent, TelephonyEvent, ContactLog, CampaignContact]
COUNT = re.compile(r"\bCOUNT\(")


def _url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _counts(client, model, query=None) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url(model), query or {})
    assert page.status_code == 200
    table = f'"{model._meta.db_table}"'
    return [q["sql"] for q in queries if table in q["sql"] and COUNT.search(q["sql"])], page


@pytest.mark.parametrize("model", BIG, ids=lambda model: model.__name__)
def test_a_big_list_is_paged_without_counting_its_rows(admin_client, model):
    rows = [BUILDERS[model]() for _ in range(3)]
    # By its store where the list offers that filter (any other lookup from the address is refused: ADR 0033).
    filters = [spec[0] if isinstance(spec, tuple) else spec for spec in admin.site._registry[model].list_filter]
    store = getattr(rows[0], "store", None) if "store" in filters else None

    for query in ({}, {"store__id__exact": store.pk} if store else {"p": "1"}):
        counts, page = _counts(admin_client, model, query)

        assert counts == [], query
        assert page.context["cl"].result_count == (1 if "store__id__exact" in query else 3)


def test_past_the_bound_the_list_says_about_how_many_and_every_page_is_reached(admin_client, monkeypatch):
    store = StoreFactory()
    orders = [OrderFactory(customer__store=store) for _ in range(12)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_order")  # the planner's estimate of the table is then its rows
    monkeypatch.setattr(BoundedCountPaginator, "exact_up_to", 5)
    monkeypatch.setattr(admin.site._registry[Order], "list_per_page", 5)

    counts, first = _counts(admin_client, Order)
    assert counts == []
    assert first.context["cl"].result_count == 12
    assert "约 12" in first.content.decode() or "about 12" in first.content.decode()

    shown = []
    for number in (1, 2, 3):
        counts, page = _counts(admin_client, Order, {"p": number})
        assert counts == []
        shown += [row.pk for row in page.context["cl"].result_list]
    assert shown == sorted((o.pk for o in orders), reverse=True)


def test_a_filter_past_the_bound_is_estimated_by_the_planner_and_never_lists_every_row(admin_client, monkeypatch):
    store = StoreFactory()
    for _ in range(8):
        OrderFactory(customer__store=store)
    OrderFactory()
    monkeypatch.setattr(BoundedCountPaginator, "exact_up_to", 5)
    monkeypatch.setattr(admin.site._registry[Order], "list_per_page", 5)

    counts, page = _counts(admin_client, Order, {"store__id__exact": store.pk})

    assert counts == []
    cl = page.context["cl"]
    assert cl.result_count > 5 and cl.paginator.estimated
    assert len(cl.result_list) == 5


def test_a_settings_list_counts_exactly(admin_client):
    StoreFactory.create_batch(3)

    counts, page = _counts(admin_client, Store)

    assert page.context["cl"].result_count == Store.objects.count()
    assert counts and not isinstance(page.context["cl"].paginator, BoundedCountPaginator)


def _linked_pages(page) -> set[int]:
    return {int(number) for number in re.findall(r'href="\?p=(\d+)"', page.content.decode())}


def test_pages_past_an_estimate_that_falls_short_are_each_linked_from_the_one_before(admin_client, monkeypatch):
    # The planner's statistics lag the table (rows written since the last ANALYZE): the estimate numbered 2 pages of
    # 22 rows, and the pages past it had no link.
    orders = [OrderFactory() for _ in range(22)]
    monkeypatch.setattr(BoundedCountPaginator, "exact_up_to", 5)
    monkeypatch.setattr(admin.site._registry[Order], "list_per_page", 5)
    monkeypatch.setattr("crm.admin_mixins.paging.estimated_count", lambda queryset: 7)

    number, shown = 1, []
    while number:
        counts, page = _counts(admin_client, Order, {"p": number})
        assert counts == []
        shown += [row.pk for row in page.context["cl"].result_list]
        number = number + 1 if number + 1 in _linked_pages(page) else None

    assert shown == sorted((o.pk for o in orders), reverse=True)  # every page reached by its link
    assert max(_linked_pages(page)) < 5  # the last page links none past it


def test_the_last_page_of_an_estimate_that_overshoots_links_no_page_past_it(admin_client, monkeypatch):
    for _ in range(12):
        OrderFactory()
    monkeypatch.setattr(BoundedCountPaginator, "exact_up_to", 5)
    monkeypatch.setattr(admin.site._registry[Order], "list_per_page", 5)
    monkeypatch.setattr("crm.admin_mixins.paging.estimated_count", lambda queryset: 40)

    first, last = _counts(admin_client, Order)[1], _counts(admin_client, Order, {"p": 3})[1]

    assert 8 in _linked_pages(first)  # the estimate's 8 pages, until a short page shows where the rows end
    assert len(last.context["cl"].result_list) == 2 and max(_linked_pages(last)) == 2
    past = admin_client.get(_url(Order), {"p": 8})  # linked from the first: no rows, refused as Django refuses one
    assert past.status_code == 302 and past["Location"].endswith("?e=1")
