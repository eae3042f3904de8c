"""The logistics board: parcels at risk of the user's stores only, biggest orders first, with what was sent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from logistics.services.delays import delays_sweep
from tests.callbacks.conftest import midday_store
from tests.factories import AgentFactory, CustomerFactory, OrderFactory

from .conftest import ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    mine, theirs = midday_store(code="mine"), midday_store(code="theirs")
    agent = AgentFactory(stores=[mine])
    small = ship(OrderFactory(customer=CustomerFactory(store=mine), total_amount=Decimal("400.00")), hours_ago=40)
    big = ship(OrderFactory(customer=CustomerFactory(store=mine), total_amount=Decimal("3800.00")), hours_ago=30)
    fine = ship(OrderFactory(customer=CustomerFactory(store=mine)), hours_ago=2)
    other = ship(OrderFactory(customer=CustomerFactory(store=theirs)), hours_ago=40)
    delays_sweep(now=timezone.now())
    client = Client()
    client.force_login(agent.user)
    return client, small, big, fine, other


def test_the_board_lists_my_late_parcels_biggest_first(setup):
    client, small, big, fine, other = setup
    page = client.get("/logistics/").content.decode()
    assert page.index(big.tracking_number) < page.index(small.tracking_number)
    assert fine.tracking_number not in page and other.tracking_number not in page


def test_another_stores_board_and_parcel_are_404(setup):
    client, _small, _big, _fine, other = setup
    assert client.get("/logistics/?store=theirs").status_code == 404
    assert client.get(f"/logistics/shipments/{other.pk}/").status_code == 404
    assert client.get("/logistics/?store=mine").status_code == 200


def test_the_board_needs_a_login(setup):
    assert Client().get("/logistics/").status_code == 302


def test_the_board_does_a_fixed_number_of_queries(setup, django_assert_max_num_queries):
    client = setup[0]
    for index in range(5):
        ship(OrderFactory(customer=CustomerFactory(store=setup[1].store)), hours_ago=50 + index)
    delays_sweep(now=timezone.now() + timedelta(minutes=1))
    with django_assert_max_num_queries(12):
        assert client.get("/logistics/").status_code == 200


def test_parcels_show_the_couriers_name_and_the_amount_in_the_readers_language(setup):
    """A Chinese-reading agent reads 顺丰速运 and ¥3,800.00, not the tracking provider's code and "CNY"."""
    client, _small, big, _fine, _other = setup
    client.cookies["django_language"] = "zh-hans"
    board = client.get("/logistics/").content.decode()
    parcel = client.get(f"/logistics/shipments/{big.pk}/").content.decode()
    for page in (board, parcel):
        assert f"顺丰速运 {big.tracking_number}" in page
        assert "shunfeng" not in page
    assert "¥3,800.00" in board and "CNY" not in board
    client.cookies["django_language"] = "en"
    assert f"SF Express {big.tracking_number}" in client.get("/logistics/").content.decode()


def test_a_courier_without_a_name_is_shown_by_its_code(setup):
    client = setup[0]
    parcel = ship(OrderFactory(customer=CustomerFactory(store=setup[1].store)), courier="zhaijisong", hours_ago=60)
    delays_sweep(now=timezone.now() + timedelta(minutes=1))
    assert f"zhaijisong {parcel.tracking_number}" in client.get("/logistics/").content.decode()


def test_a_notice_not_sent_says_why_in_the_readers_language(setup):
    """The gate's reason is stored as a code (sms_opt_out); the board showed the code to a Chinese-reading agent."""
    client = setup[0]
    customer = CustomerFactory(store=setup[1].store, sms_opt_out=True)
    ship(OrderFactory(customer=customer, total_amount=Decimal("400.00")), hours_ago=60)
    delays_sweep(now=timezone.now() + timedelta(minutes=1))
    client.cookies["django_language"] = "zh-hans"
    board = client.get("/logistics/").content.decode()
    assert "sms_opt_out" not in board
    assert "未发送 (顾客已退订短信)" in board


def test_the_board_reads_the_open_parcels_of_its_store_through_an_index(setup):
    # 60,000 parcels over five stores, one in seven still open, one in ten with a delay found on it (the delays of
    # signed parcels stay, for the reports), statistics taken: the board's parcels were found by reading every
    # parcel of every store (a sequential scan), however few were open in the store.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from logistics.models import Shipment, ShipmentDelay
    from tests.factories import StoreFactory
    from tests.query_plans import scans_of

    client, small, big, fine, other = setup
    stores = [small.store_id, other.store_id, *(StoreFactory().pk for _ in range(3))]
    columns = [f.column for f in Shipment._meta.concrete_fields]
    columns = [c for c in columns if c not in {"id", "store_id", "tracking_number", "is_open"}]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO logistics_shipment (store_id, tracking_number, is_open, {', '.join(columns)}) "  # noqa: S608
            f"SELECT (%s::bigint[])[1 + n %% 5], 'T' || n, n %% 7 = 0, {', '.join(columns)} "
            "FROM logistics_shipment, generate_series(1, 60000) AS n WHERE id = %s",
            [stores, fine.pk],
        )
        delay = [
            f.column for f in ShipmentDelay._meta.concrete_fields if f.column not in {"id", "store_id", "shipment_id"}
        ]
        cursor.execute(
            f"INSERT INTO logistics_shipmentdelay (store_id, shipment_id, {', '.join(delay)}) "  # noqa: S608
            f"SELECT s.store_id, s.id, {', '.join('d.' + c for c in delay)} FROM logistics_shipment s, "
            "logistics_shipmentdelay d WHERE s.tracking_number LIKE 'T%%' AND s.id %% 10 = 0 AND d.id = %s",
            [ShipmentDelay.objects.filter(shipment=small).first().pk],
        )
        cursor.execute("ANALYZE logistics_shipment")
        cursor.execute("ANALYZE logistics_shipmentdelay")
        cursor.execute("SET LOCAL random_page_cost = 4; SET LOCAL seq_page_cost = 1")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/logistics/").content.decode()
    # The biggest order is listed first; the copies of `fine` (1,500) can fill the board's 200 rows before `small`.
    assert big.tracking_number in page
    [board] = [q["sql"] for q in queries if q["sql"].startswith('SELECT DISTINCT "logistics_shipment"')]
    assert scans_of(board, "logistics_shipment") == {("Bitmap Heap Scan", "shipment_open_store")}
