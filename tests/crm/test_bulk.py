"""crm.bulk: the PostgreSQL statements and the ORM version (the embedded SQLite's) give the same answers and
leave the same rows. The suite runs on PostgreSQL, so both versions run here, each on its own store, and a
property test feeds them the same random batches."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm import bulk
from crm.bulk import portable, postgres
from crm.models import AuditLog, Customer, InboundEvent, Order
from crm.services.ingestion.inputs import CustomerInput, OrderInput
from crm.services.ingestion.orders import CUSTOMERS, orders_upsert
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

BACKENDS = {"postgres": postgres, "portable": portable}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def use_backend(monkeypatch):
    def use(name: str) -> None:
        monkeypatch.setattr(bulk, "_backend", lambda: BACKENDS[name])

    return use


_customer = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["王芳", "李娜", "Ann"]),
        "phone": st.sampled_from(["+8613800000001", "+8613800000002"]),
        "gender": st.sampled_from([None, "unknown", "female", "male"]),
        "birthday": st.sampled_from([None, date(1990, 5, 1), date(1985, 1, 2)]),
        "region": st.sampled_from([None, "", "上海", "浙江"]),
    }
)
_order = st.fixed_dictionaries(
    {
        "n": st.integers(1, 4),
        "buyer": st.integers(1, 3),
        "customer": _customer,
        "total_amount": st.sampled_from([Decimal("10.50"), Decimal("1899.00")]),
        "shipped_at": st.sampled_from([None, datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC)]),
        "courier": st.sampled_from([None, "", "SF", "JD"]),
        "tracking_number": st.sampled_from([None, "", "SF100"]),
    }
)
_batches = st.lists(st.lists(_order, min_size=1, max_size=4), min_size=1, max_size=4)


def _inputs(store, batch) -> list[OrderInput]:
    unique = {row["n"]: row for row in batch}  # the API rejects a batch with a key twice
    return [
        OrderInput(
            store_id=store.pk,
            external_id=f"TB{n}",
            customer=CustomerInput(store_id=store.pk, external_id=f"buyer-{row['buyer']}", **row["customer"]),
            total_amount=row["total_amount"],
            currency="CNY",
            items=[{"sku": "S1", "quantity": 1}],
            placed_at=NOW,
            shipped_at=row["shipped_at"],
            courier=row["courier"],
            # Each order its own number: a number of another order is refused (logistics, TrackingNumberTaken).
            tracking_number=f"{row['tracking_number']}-{n}" if row["tracking_number"] else row["tracking_number"],
            payload={"n": n, "row": str(row)},
        )
        for n, row in sorted(unique.items())
    ]


def _state(store):
    skip = {"id", "store", "customer", "created_at", "updated_at"}
    orders = {
        o.external_id: (
            {k: v for k, v in model_to_dict(o).items() if k not in skip},
            {k: v for k, v in model_to_dict(o.customer).items() if k not in {"id", "store"}},
            o.customer.external_id,
        )
        for o in Order.objects.filter(store=store).select_related("customer")
    }
    events = sorted(InboundEvent.objects.filter(store=store).values_list("external_id", "payload_hash"))
    return orders, events


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=_batches)
def test_both_backends_upsert_orders_alike(batches, use_backend):
    stores = {name: StoreFactory() for name in BACKENDS}
    for batch in batches:
        answers = {}
        for name, store in stores.items():
            use_backend(name)
            answers[name] = [(r.created, r.changed) for r in orders_upsert(orders=_inputs(store, batch), token=None)]
        assert answers["postgres"] == answers["portable"]
    assert _state(stores["postgres"]) == _state(stores["portable"])


def test_unknown_never_erases_known(use_backend):
    for name in BACKENDS:
        use_backend(name)
        store = StoreFactory()
        known = {"gender": "female", "birthday": date(1990, 5, 1), "region": "上海"}
        unknown = {"gender": "unknown", "birthday": None, "region": ""}
        row = {"store_id": store.pk, "external_id": "b1", "name": "王芳", "phone": "+8613800000001"}
        (first,) = bulk.upsert(CUSTOMERS, [{**row, **known}], now=NOW).values()
        (again,) = bulk.upsert(CUSTOMERS, [{**row, **unknown, "name": "王芳芳"}], now=NOW).values()
        customer = Customer.objects.get(pk=first.id)
        assert (first.created, again.created, again.id) == (True, False, first.id), name
        assert (customer.gender, customer.birthday, customer.region, customer.name) == (
            "female",
            date(1990, 5, 1),
            "上海",
            "王芳芳",
        ), name


def test_an_unchanged_row_is_not_written(use_backend):
    for name in BACKENDS:
        use_backend(name)
        store = StoreFactory()
        row = {"store_id": store.pk, "external_id": "b1", "name": "王芳", "phone": "+8613800000001"}
        (first,) = bulk.upsert(CUSTOMERS, [row], now=NOW).values()
        later = datetime(2026, 11, 21, tzinfo=UTC)
        (again,) = bulk.upsert(CUSTOMERS, [row], now=later).values()
        assert Customer.objects.get(store=store).updated_at == NOW, name
        (renamed,) = bulk.upsert(CUSTOMERS, [{**row, "name": "王芳芳"}], now=later).values()
        assert [tuple(r) for r in (first, again, renamed)] == [
            (first.id, True, True),
            (first.id, False, False),
            (first.id, False, True),
        ], name


def test_copy_rows_gives_ids_in_order_and_fills_defaults(use_backend):
    for name in BACKENDS:
        use_backend(name)
        rows = [{"action": f"{name}-{i}", "data": {"i": i}, "at": NOW} for i in range(3)]
        ids = bulk.copy_rows(AuditLog, rows, ids=True)
        logged = AuditLog.objects.in_bulk(ids)
        assert [logged[pk].action for pk in ids] == [r["action"] for r in rows], name
        assert [logged[pk].data for pk in ids] == [{"i": i} for i in range(3)], name


def test_copy_rows_writes_nothing_on_a_conflict_and_insert_ignoring_conflicts_skips_it(use_backend):
    for name in BACKENDS:
        use_backend(name)
        store = StoreFactory()
        row = {"kind": "order", "store_id": store.pk, "external_id": "x", "received_at": NOW, "payload": "{}"}
        bulk.copy_rows(InboundEvent, [{**row, "payload_hash": "a"}])
        with pytest.raises(IntegrityError), transaction.atomic():
            bulk.copy_rows(InboundEvent, [{**row, "payload_hash": "b"}, {**row, "payload_hash": "a"}])
        assert InboundEvent.objects.filter(store=store).count() == 1, name
        added = bulk.insert_ignoring_conflicts(
            InboundEvent, [{**row, "payload_hash": "b"}, {**row, "payload_hash": "a"}]
        )
        assert added == 1 and InboundEvent.objects.filter(store=store).count() == 2, name


def test_insert_new_inserts_only_keys_not_stored_and_gives_their_ids(use_backend):
    for name in BACKENDS:
        use_backend(name)
        store = StoreFactory()
        row = {"kind": "order", "store_id": store.pk, "external_id": "x", "received_at": NOW, "payload": "{}"}
        key = ("store_id", "kind", "external_id", "payload_hash")
        stored = bulk.insert_new(InboundEvent, [{**row, "payload_hash": "a"}], key=key)
        assert list(stored) == [(store.pk, "order", "x", "a")], name
        ids = bulk.insert_new(
            InboundEvent, [{**row, "payload_hash": "b"}, {**row, "payload_hash": "a", "payload": "{1}"}], key=key
        )
        events = {e.payload_hash: e for e in InboundEvent.objects.filter(store=store)}
        assert ids == {(store.pk, "order", "x", "b"): events["b"].pk}, name
        assert events["a"].pk == stored[(store.pk, "order", "x", "a")] and events["a"].payload == "{}", name


def test_update_rows_writes_only_rows_whose_match_still_holds(use_backend):
    for name in BACKENDS:
        use_backend(name)
        store = StoreFactory()
        a, b = (Customer.objects.create(store=store, external_id=f"b{i}", name="x", phone="") for i in range(2))
        bulk.update_rows(Customer, [(a.pk, "甲", "x"), (b.pk, "乙", "not x")], fields=["name"], match=["name"])
        assert sorted(Customer.objects.filter(store=store).values_list("name", flat=True)) == ["x", "甲"], name


def test_insert_returning_gives_external_ids(use_backend):
    for name in BACKENDS:
        use_backend(name)
        store = StoreFactory()
        customer = Customer.objects.create(store=store, external_id="b1", name="x", phone="")
        rows = [
            {
                "store_id": store.pk,
                "external_id": f"o{i}",
                "customer_id": customer.pk,
                "total_amount": Decimal("1.00"),
                "currency": "CNY",
                "items": [],
                "placed_at": NOW,
                "status": "placed",
                "courier": "",
                "tracking_number": "",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(3)
        ]
        returned = bulk.insert_returning(Order, rows)
        assert sorted(external_id for _pk, external_id in returned) == ["o0", "o1", "o2"], name
        assert {pk for pk, _ in returned} == set(Order.objects.filter(store=store).values_list("id", flat=True)), name


@pytest.mark.parametrize("lookup", ["any_of", "key_in"])
def test_list_lookups_find_the_rows_whose_value_is_in_the_list(lookup):
    store, other = StoreFactory(), StoreFactory()
    longest = "a" * Customer._meta.get_field("external_id").max_length
    for s, external_id in [(store, "c1"), (store, "c2"), (store, longest), (other, "c1")]:
        Customer.objects.create(store=s, external_id=external_id, name="x", phone="")
    ours = Customer.objects.filter(store=store)

    def found(queryset):
        return sorted(queryset.values_list("store_id", "external_id"))

    def key(values):
        return {f"external_id__{lookup}": values}

    assert found(ours.filter(**key({"c1", "c3"}))) == [(store.pk, "c1")]
    assert found(Customer.objects.filter(**{f"store_id__{lookup}": {other.pk}}, **key({"c1"}))) == [(other.pk, "c1")]
    assert found(ours.exclude(**key({"c1"}))) == [(store.pk, longest), (store.pk, "c2")]
    assert not ours.filter(**key(set())).exists()
    # A key longer than the column is not cut down to one that is stored.
    assert not ours.filter(**key({longest + "b"})).exists()


def test_reserve_gives_stored_ids_and_draws_new_ones_through_the_unique_index(use_backend):
    """60,000 customers, statistics taken: reserving a batch's customers probes (store, external_id) a key, and
    writes nothing on PostgreSQL; the rows left pending are the new ones, and the upsert that follows stores them
    under the ids reserved."""
    from django.test.utils import CaptureQueriesContext

    from tests.query_plans import scans_of

    use_backend("postgres")
    store = StoreFactory()
    row = {"store_id": store.pk, "name": "王芳", "phone": "+8613800000001"}
    (stored,) = bulk.upsert(CUSTOMERS, [{**row, "external_id": "b0"}], now=NOW).values()
    with connection.cursor() as cursor:
        columns = [f.column for f in Customer._meta.concrete_fields if f.column not in {"id", "external_id"}]
        cursor.execute(
            f"INSERT INTO crm_customer (external_id, {', '.join(columns)}) "  # noqa: S608
            f"SELECT 'c' || n, {', '.join(columns)} FROM crm_customer, generate_series(1, 60000) AS n WHERE id = %s",
            [stored.id],
        )
        cursor.execute("ANALYZE crm_customer")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")
    rows = [{**row, "external_id": e} for e in ("b0", "new-1", "new-2")]
    with CaptureQueriesContext(connection) as queries:
        reservation = bulk.reserve(CUSTOMERS, rows, now=NOW)
    [sql] = [q["sql"] for q in queries]
    assert scans_of(sql, "crm_customer") == {("Index Scan", "customer_unique_per_store")}
    reserved = reservation.ids
    assert reserved[(store.pk, "b0")] == stored.id
    assert not Customer.objects.filter(pk__in=[reserved[(store.pk, "new-1")], reserved[(store.pk, "new-2")]]).exists()
    assert sorted(r["external_id"] for r in reservation.pending) == ["new-1", "new-2"]  # b0 is stored as given
    written = bulk.upsert(CUSTOMERS, reservation.pending, now=NOW)
    assert {key: result.id for key, result in written.items()} == {k: v for k, v in reserved.items() if k[1] != "b0"}
    assert {key[1]: (r.created, r.changed) for key, r in written.items()} == {
        "new-1": (True, True),
        "new-2": (True, True),
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_reserve_leaves_pending_only_rows_the_upsert_would_change(backend, use_backend):
    """Unknown never erases known, so a row whose only differences are unknown values is stored as given; a known
    value that differs is pending. On SQLite reserve has written every row already: nothing is pending."""
    use_backend(backend)
    store = StoreFactory()
    known = {"store_id": store.pk, "name": "王芳", "phone": "+8613800000001", "gender": "female", "region": "上海"}
    bulk.upsert(CUSTOMERS, [{**known, "external_id": e} for e in ("same", "vague", "moved")], now=NOW)
    rows = [
        {**known, "external_id": "same"},
        {**known, "external_id": "vague", "gender": None, "region": ""},
        {**known, "external_id": "moved", "region": "浙江"},
    ]
    reservation = bulk.reserve(CUSTOMERS, rows, now=NOW)
    pending = [r["external_id"] for r in reservation.pending]
    assert pending == ([] if backend == "portable" else ["moved"])
    bulk.upsert(CUSTOMERS, reservation.pending, now=NOW)
    regions = dict(Customer.objects.filter(store=store).values_list("external_id", "region"))
    genders = set(Customer.objects.filter(store=store).values_list("gender", flat=True))
    assert regions == {"same": "上海", "vague": "上海", "moved": "浙江"} and genders == {"female"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_reserve_hands_back_the_stored_values_of_tracked_fields_of_the_rows_it_changes(backend, use_backend):
    """A stored row the batch changes comes back with its tracked fields as they were; a new row, a row stored as
    given and a row whose only change is an untracked field's do not (an untracked change still writes)."""
    use_backend(backend)
    store = StoreFactory()
    known = {"store_id": store.pk, "name": "王芳", "phone": "+8613800000001", "region": "上海"}
    bulk.upsert(CUSTOMERS, [{**known, "external_id": e} for e in ("same", "phone", "region")], now=NOW)
    rows = [
        {**known, "external_id": "same"},
        {**known, "external_id": "phone", "phone": "+8613900000002", "name": "王芳芳"},
        {**known, "external_id": "region", "region": "浙江"},
        {**known, "external_id": "new"},
    ]
    reservation = bulk.reserve(CUSTOMERS, rows, now=NOW)
    bulk.upsert(CUSTOMERS, reservation.pending, now=NOW)

    assert reservation.before == {
        (store.pk, "phone"): {"name": "王芳", "phone": "+8613800000001", "language": ""},
        (store.pk, "region"): {"name": "王芳", "phone": "+8613800000001", "language": ""},
    }
    phones = dict(Customer.objects.filter(store=store).values_list("external_id", "phone"))
    assert phones["phone"] == "+8613900000002"
