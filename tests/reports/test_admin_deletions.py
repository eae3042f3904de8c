"""A review or an order the admin deletes (sent by mistake) leaves the figures of the days that counted it at the next
frequent rebuild, not the next night, whatever its age: alone (its delete page) or among others ("Delete selected")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Order
from crm.timezones import to_store_local
from letters.models import Letter
from reports.models import DailyCount, RollupStaleDay
from reports.rollups import rollups_refresh, rollups_refresh_recent
from reviews.models import Review
from tests.factories import OrderFactory, StoreFactory
from tests.reports.factories import ReviewFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=60)  # before the days the frequent rebuild takes whole (RECENT_DAYS)


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


def _figure(store, metric, day) -> int:
    rows = DailyCount.objects.filter(store=store, metric=metric, day=day, month=False)
    return sum(rows.values_list("count", flat=True))


def _month(store, metric, day) -> tuple[int, int]:
    """The month row's figure, and the sum of that month's day rows: the report reads the first for a whole month."""
    months = DailyCount.objects.filter(store=store, metric=metric, month=True, day=day.replace(day=1))
    days = DailyCount.objects.filter(store=store, metric=metric, month=False, day__year=day.year, day__month=day.month)
    return sum(months.values_list("count", flat=True)), sum(days.values_list("count", flat=True))


def _delete_one(admin_client, obj) -> None:
    meta = obj._meta
    response = admin_client.post(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content


def _delete_selected(admin_client, model, objs) -> None:
    meta = model._meta
    response = admin_client.post(
        f"/admin/{meta.app_label}/{meta.model_name}/",
        {"action": "delete_selected", "_selected_action": [o.pk for o in objs], "post": "yes"},
    )
    assert response.status_code == 302, response.content


@pytest.mark.parametrize("how", ["alone", "selected"])
def test_a_review_deleted_in_the_admin_leaves_its_days_figures_at_the_next_frequent_rebuild(admin_client, store, how):
    posted = timezone.now() - LONG_AGO
    day, other_day = (to_store_local(at, store).date() for at in (posted, posted - timedelta(days=3)))
    gone, kept = (ReviewFactory(customer__store=store, rating=1, posted_at=posted) for _ in range(2))
    other = ReviewFactory(customer__store=store, rating=2, posted_at=posted - timedelta(days=3))
    rollups_refresh(store=store)  # the night's
    assert (_figure(store, "review", day), _figure(store, "review", other_day)) == (2, 1)

    if how == "alone":
        _delete_one(admin_client, gone)
    else:
        _delete_selected(admin_client, Review, [gone, other])
    rollups_refresh_recent(store=store)

    assert _figure(store, "review", day) == 1
    assert _figure(store, "review", other_day) == (1 if how == "alone" else 0)
    assert set(Review.objects.values_list("pk", flat=True)) == {kept.pk} | ({other.pk} if how == "alone" else set())
    month, its_days = _month(store, "review", day)
    assert month == its_days


@pytest.mark.parametrize("how", ["alone", "selected"])
def test_an_order_deleted_in_the_admin_leaves_its_delivery_figures_at_the_next_frequent_rebuild(
    admin_client, store, how
):
    # An order nothing hangs on (no follow-up planned for its value, no parcel, no case, no letter) is the one the
    # admin can delete: a delivery with no follow-up, counted on the day it was delivered.
    delivered = timezone.now() - LONG_AGO
    day = to_store_local(delivered, store).date()
    orders = [OrderFactory(store=store, customer__store=store, delivered_at=delivered) for _ in range(2)]
    rollups_refresh(store=store)
    assert _figure(store, "uncovered_delivery", day) == 2

    if how == "alone":
        _delete_one(admin_client, orders[0])
    else:
        _delete_selected(admin_client, Order, orders[:1])
    rollups_refresh_recent(store=store)

    assert _figure(store, "uncovered_delivery", day) == 1
    assert _month(store, "uncovered_delivery", day) == (1, 1)


def test_a_review_deleted_in_the_admin_leaves_the_letter_figures_of_its_order(admin_client, store):
    # Letters chosen on one day, their reviews posted weeks later: the review's day is not the letter's.
    chosen = timezone.now() - LONG_AGO - timedelta(days=20)
    day = to_store_local(chosen, store).date()
    order = OrderFactory(store=store, customer__store=store, delivered_at=chosen)
    Letter.objects.create(
        store=store, order=order, customer=order.customer, status="held_back", day=day, created_at=chosen
    )
    review = ReviewFactory(customer=order.customer, order=order, rating=1, posted_at=timezone.now() - LONG_AGO)
    rollups_refresh(store=store)
    assert (_figure(store, "letter_reviewed", day), _figure(store, "letter_bad", day)) == (1, 1)

    _delete_one(admin_client, review)
    rollups_refresh_recent(store=store)

    assert (_figure(store, "letter_reviewed", day), _figure(store, "letter_bad", day)) == (0, 0)
    assert _figure(store, "letter_orders", day) == 1


def test_the_mark_of_a_deletion_is_taken_by_the_rebuild_that_corrects_its_day(admin_client, store):
    posted = timezone.now() - LONG_AGO
    review = ReviewFactory(customer__store=store, rating=1, posted_at=posted)
    rollups_refresh(store=store)
    _delete_one(admin_client, review)
    rollups_refresh_recent(store=store)
    assert _figure(store, "review", to_store_local(posted, store).date()) == 0

    # The next rebuild takes nothing old again.
    assert not RollupStaleDay.objects.exists()
