"""An admin list takes from its address only the lookups its declared filters, date hierarchy and search produce
(ADR 0033). Django applies any other lookup on the model's own fields as it came: `?external_id__icontains=x` read
every order with `UPPER(external_id) LIKE '%X%'`, `?placed_at__year=2025` skipped the store a date range is read
within, `?phone__startswith=+86139` told a user shown numbers masked how a customer's number begins. Such an address
is a 400, Django's answer to a lookup it does not allow (`DisallowedModelAdminLookup`, logged as a security event),
before any row of the list is read."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import ContactLog, FollowUp, TelephonyEvent
from crm.models import Agent, AuditLog, Case, Customer, InboundEvent, Order, WorkerHeartbeat
from logistics.models import Shipment
from reviews.models import Review
from tests.factories import UserFactory
from tests.system.test_admin_scale import BUILDERS

pytestmark = pytest.mark.django_db


# The big lists, each with lookups an operator may craft on their own fields: a text read anywhere (LIKE '%q%'), a
# part of a date (EXTRACT over every row, and outside the store a range is read within), a column no index holds.
CRAFTED = {
    Order: [
        {"external_id__icontains": "x"},
        {"placed_at__year": "2025"},
        {"store__id__exact": "{store}", "placed_at__year": "2025"},  # a store chosen: still not the range's lookup
        {"placed_at__gte": "2025-01-01", "placed_at__date": "2025-01-01"},
        {"total_amount__gte": "0"},
        {"customer__id__exact": "1"},
    ],
    Customer: [{"name__icontains": "王"}, {"phone__startswith": "+86139"}, {"notes__contains": "x"}],
    FollowUp: [{"window_start__year": "2025"}, {"recipient__contains": "139"}, {"note__icontains": "x"}],
    Review: [{"text__icontains": "差"}, {"posted_at__month": "5"}, {"buyer__icontains": "x"}],
    Case: [{"opened_at__year": "2025"}],
    ContactLog: [{"at__year": "2025"}, {"source__icontains": "x"}],
    InboundEvent: [{"payload__icontains": "139"}, {"received_at__year": "2025"}, {"external_id__icontains": "x"}],
    TelephonyEvent: [{"payload__icontains": "139"}, {"provider_id__icontains": "CA"}],
    AuditLog: [{"target__icontains": "customer"}, {"at__year": "2025"}],
    Shipment: [{"last_event_text__icontains": "签收人"}, {"tracking_number__icontains": "SF"}],
    AccessLog: [{"user_agent__icontains": "browser"}, {"attempt_time__year": "2025"}],
    AccessFailureLog: [{"path_info__icontains": "admin"}, {"attempt_time__date": "2025-01-01"}],
}


def _url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _reads_of(queries, model) -> list[str]:
    return [q["sql"] for q in queries if f'"{model._meta.db_table}"' in q["sql"]]


def _refused(client, model, query: dict, caplog, *, read: bool = False) -> None:
    with caplog.at_level("ERROR", logger="django.security"), CaptureQueriesContext(connection) as queries:
        page = client.get(_url(model), query)

    assert page.status_code == 400, query
    assert [r for r in caplog.records if r.name == "django.security.DisallowedModelAdminLookup"], query
    if not read:
        assert _reads_of(queries, model) == [], query  # not a row of the list read, let alone all of them


@pytest.mark.parametrize("model", CRAFTED, ids=lambda model: model.__name__)
def test_a_lookup_no_declared_filter_makes_is_refused_before_the_list_is_read(admin_client, model, caplog):
    row = BUILDERS[model]()
    for query in CRAFTED[model]:
        store = getattr(row, "store_id", "")
        _refused(admin_client, model, {k: v.format(store=store) for k, v in query.items()}, caplog)
        caplog.clear()


def test_every_project_list_refuses_a_lookup_on_its_own_key(admin_client, caplog):
    # `id__gte` is on every table, and on none's filters: Django let it through on each. (The users' table is read for
    # the signed-in user: not the list.)
    lists = [m for m, model_admin in admin.site._registry.items() if model_admin.has_view_permission(_superuser())]
    assert Order in lists and get_user_model() in lists and Group in lists
    for model in lists:
        _refused(admin_client, model, {"id__gte": "0"}, caplog, read=model is get_user_model())
        caplog.clear()


def _superuser():
    request = type("Request", (), {})()
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


def test_a_view_only_user_cannot_learn_a_masked_number_a_digit_at_a_time(caplog):
    customer = BUILDERS[Customer]()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client = Client()
    client.force_login(viewer)

    assert client.get(_url(Customer)).status_code == 200
    for lookup in ("phone__startswith", "phone__contains", "phone__regex", "phone__gt"):
        _refused(client, Customer, {lookup: customer.phone[:6]}, caplog)
        caplog.clear()


# -- what the filters, the date hierarchy and the search make still works ------------------------------------------


def _store_chosen(cl) -> str | None:
    for spec in cl.filter_specs:
        if getattr(spec, "lookup_kwarg", "") == "store__id__exact":
            choices = [c for c in spec.choices(cl) if not c["selected"] and "store__id__exact" in c["query_string"]]
            return choices[0]["query_string"] if choices else None
    return None


def _every_filter_link_is_a_list(client, model, base: str = "") -> int:
    page = client.get(_url(model) + base)
    assert page.status_code == 200, base
    cl, followed = page.context["cl"], 0
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            link = client.get(_url(model) + choice["query_string"])
            assert link.status_code == 200, (spec.title, choice["query_string"])
            followed += 1
    return followed


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda model: model.__name__)
def test_every_filter_a_list_offers_still_filters_it(admin_client, model):
    rows = [BUILDERS[model](), BUILDERS[model]()]
    followed = _every_filter_link_is_a_list(admin_client, model)
    page = admin_client.get(_url(model))
    if (in_a_store := _store_chosen(page.context["cl"])) is not None:
        # Within a store, the date ranges read in its (store, date) index are offered too: each of them as well.
        followed += _every_filter_link_is_a_list(admin_client, model, in_a_store)
    assert followed or not admin.site._registry[model].list_filter
    if admin.site._registry[model].get_search_fields(_superuser()):
        assert admin_client.get(_url(model), {"q": str(rows[0].pk)}).status_code == 200


def test_a_store_s_date_ranges_filter_its_list(admin_client):
    older, newer = BUILDERS[Order](), BUILDERS[Order]()
    now = timezone.now()  # as the test runs: the admin's date ranges are read from the same clock
    Order.objects.filter(pk=older.pk).update(store=newer.store, placed_at=now - timedelta(days=40))
    Order.objects.filter(pk=newer.pk).update(placed_at=now)
    store = {"store__id__exact": newer.store_id}
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    def listed(query: dict) -> list[int]:
        page = admin_client.get(_url(Order), {**store, **query})
        assert page.status_code == 200
        return [row.pk for row in page.context["cl"].result_list]

    assert listed({}) == [newer.pk, older.pk]
    assert listed({"placed_at__gte": str(since - timedelta(days=7)), "placed_at__lt": str(since + timedelta(1))}) == [
        newer.pk
    ]
    assert listed({"status__exact": newer.status}) == [newer.pk, older.pk]


def test_the_date_hierarchy_s_year_month_and_day_are_taken_and_its_range_is_not(admin_client, monkeypatch, caplog):
    # No list of ours has one (it reads the distinct years over the table); an admin that declares one keeps it.
    monkeypatch.setattr(admin.site._registry[WorkerHeartbeat], "date_hierarchy", "last_run_at")
    beat = BUILDERS[WorkerHeartbeat]()
    day = timezone.localtime(beat.last_run_at)

    year, month = {"last_run_at__year": day.year}, {"last_run_at__month": day.month}
    for query in (year, {**year, **month}, {**year, **month, "last_run_at__day": day.day}):
        page = admin_client.get(_url(WorkerHeartbeat), query)
        assert page.status_code == 200, query
        assert [row.pk for row in page.context["cl"].result_list] == [beat.pk]
    _refused(admin_client, WorkerHeartbeat, {"last_run_at__gte": "2025-01-01"}, caplog)


def test_a_raw_id_field_s_choices_still_open_their_list(admin_client, monkeypatch, caplog):
    # A key's `limit_choices_to` (none of ours has one yet) is passed to the chosen model's list by the raw-id popup,
    # as Django's lookup_allowed lets it.
    monkeypatch.setattr(Agent._meta, "related_fkey_lookups", [{"user__is_active": True}])
    BUILDERS[Agent]()

    assert admin_client.get(_url(Agent), {"user__is_active": "1", "_popup": "1", "_to_field": "id"}).status_code == 200
    _refused(admin_client, Agent, {"user__is_active": "0"}, caplog)


# -- a value a filter does not offer -----------------------------------------------------------------------------------


def _choice_parameters(client, model) -> list[str]:
    cl = client.get(_url(model)).context["cl"]
    return [spec.lookup_kwarg for spec in cl.filter_specs if isinstance(spec, admin.ChoicesFieldListFilter)]


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda model: model.__name__)
def test_a_code_a_filter_does_not_offer_is_refused_before_the_list_is_read(admin_client, model):
    # `?status__exact=bogus` listed nothing, found by reading every row of the table for a code no row holds (and the
    # paginator's bounded count read on to its 1,001 ids), and a NUL in it was a 500 from the database driver. Now
    # such a value is refused as Django refuses a boolean's or a key's it cannot take: a redirect to `?e=1`.
    BUILDERS[model]()
    for parameter in _choice_parameters(admin_client, model):
        for value in ("bogus", "\x00", "99999999999999999999"):
            with CaptureQueriesContext(connection) as queries:
                page = admin_client.get(_url(model), {parameter: value})
            assert (page.status_code, page.get("Location")) == (302, f"{_url(model)}?e=1"), (parameter, value)
            assert _reads_of(queries, model) == [], (parameter, value)


def test_a_code_a_filter_offers_still_filters_among_several(admin_client):
    order = BUILDERS[Order]()
    page = admin_client.get(_url(Order), [("status__exact", order.status)])
    assert [row.pk for row in page.context["cl"].result_list] == [order.pk]
    assert admin_client.get(_url(Order), {"status__exact": f"{order.status}\x00"}).status_code == 302


def test_a_nul_in_any_filter_s_value_is_refused_not_a_500(admin_client):
    # The stores' list filters by time zone over the values stored (Django's AllValuesFieldListFilter).
    BUILDERS[Order]()
    page = admin_client.get("/admin/crm/store/", {"timezone": "Asia/\x00Shanghai"})
    assert (page.status_code, page.get("Location")) == (302, "/admin/crm/store/?e=1")


@pytest.mark.parametrize("selected", ["abc", "1\x00"], ids=["a word", "a NUL"])
def test_an_action_on_a_selection_that_is_no_key_is_a_400_and_runs_nothing(admin_client, selected):
    # Each was a 500 (ValueError, from the action's `pk__in` filter), on every list with actions.
    lists = [m for m, model_admin in admin.site._registry.items() if model_admin.get_actions(_superuser_request())]
    assert Order in lists and get_user_model() in lists
    for model in lists:
        response = admin_client.post(_url(model), {"action": "delete_selected", "_selected_action": ["1", selected]})

        assert response.status_code == 400, model


def test_an_action_on_a_selection_of_keys_still_runs(admin_client):
    row = BUILDERS[Order]()

    response = admin_client.post(_url(Order), {"action": "delete_selected", "_selected_action": [str(row.pk)]})

    assert response.status_code == 200 and "Are you sure" in response.text


def _superuser_request():
    request = _superuser()
    request.GET, request.POST = {}, {}
    return request
