"""Every page, HTMX fragment and API read costs the same number of queries with the demo's rows as with several
times as many of every kind: no query per row shown.

The demo's stores are grown by copying what they hold (tests/system/scale.py): twice more customers with their
orders, cases, reviews, parcels, campaigns and letters; then twice more orders, cases, reviews and parcels per
customer; then twice more events, remedies, checkpoints, campaign contacts and letters under each case, parcel,
campaign and print batch. Each page is opened before and after, by a manager and by an agent, as a page and as
an HTMX request, and the order API's list and detail with a token of the store."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Order, Store
from crm.services.api_tokens import api_token_create

from .scale import grow
from .test_page_scoping import _patterns, _targets, victim  # noqa: F401 -- victim is a fixture

pytestmark = pytest.mark.django_db

# What each growth keeps: nothing (more of everything), the customers (more under each), the objects a page
# shows with what hangs under them (more under each of those).
GROWTHS = [
    set(),
    {"crm.Customer"},
    {"crm.Case", "callbacks.FollowUp", "callbacks.CaseCall", "reviews.Review", "logistics.Shipment"}
    | {"retention.Campaign", "retention.Segment", "letters.PrintBatch"},
]


def _queries(client, url: str, params: dict, headers: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, headers=headers)
    return len(queries), response.status_code


def _measure(client, store: Store, targets: dict, order: Order, api_key: str) -> dict[tuple[str, bool], tuple]:
    """{(url, as HTMX): (queries, status)} of every page with the store's objects in it, and of the order API."""
    counts = {}
    for _route, name, kwargs in _patterns():
        for arguments in targets[name] if kwargs else [{}]:
            url = reverse(name, kwargs=arguments or None)
            for htmx in (False, True):
                counts[(url, htmx)] = _queries(
                    client, url, {"store": store.code}, {"HX-Request": "true"} if htmx else {}
                )
    auth = {"Authorization": f"Token {api_key}"}
    # The key's last use is stamped at most once a minute (crm.api.auth): on a busy machine the pages above take
    # longer than that, and the stamp's UPDATE would land in one measure and not the other. Stamp it first.
    client.get("/api/v1/orders", headers=auth)
    for url in ("/api/v1/orders", f"/api/v1/orders/{order.external_id}"):
        counts[(url, False)] = _queries(client, url, {}, auth)
    return counts


@pytest.mark.parametrize("username", ["demo-manager", "victim-agent"])
def test_no_page_costs_a_query_per_row(client, victim, username):  # noqa: F811
    store = Store.objects.get(pk=victim.pk)
    client.force_login(get_user_model().objects.get(username=username))
    _token, key = api_token_create(store_codes=[store.code], name="connector")
    # The objects each page is opened with, before the copies (which have the same texts, suffixed).
    targets, order = _targets(store, store), Order.objects.filter(store=store).order_by("pk").first()
    few = _measure(client, store, targets, order, key)
    orders = Order.objects.filter(store=store).count()
    for round_, keep in enumerate(GROWTHS, start=1):
        grow(keep=keep, round_=round_)
    assert Order.objects.filter(store=store).count() >= 4 * orders
    many = _measure(client, store, targets, order, key)
    grown = {url: (few[url][0], many[url][0]) for url in few if many[url][0] != few[url][0] and few[url][1] < 400}
    assert not grown, grown
