"""The demo hangs together: each store sells its own products to its own customers, and reviews fit them."""

import pytest
from django.core.management import call_command

from callbacks.models import FollowUp, SuppressedReason
from crm.demo import STORES, demo_store
from crm.models import Customer, Order, Store
from reviews.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo")
    call_command("seed_demo_reviews")


def test_each_store_sells_only_its_own_products(demo):
    skus_by_store = {s.code: {p.sku for p in s.products} for s in STORES}
    assert not set.intersection(*skus_by_store.values())
    for order in Order.objects.select_related("store"):
        assert {item["sku"] for item in order.items} <= skus_by_store[order.store.code], order


def test_no_customer_shops_in_every_store(demo):
    names_by_store = [set(Customer.objects.filter(store=s).values_list("name", flat=True)) for s in Store.objects.all()]
    assert len(names_by_store) == 3
    assert not set.intersection(*names_by_store)
    phones = list(Customer.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones))


def test_reviews_are_about_the_store_s_products_and_the_reviewer_s_order(demo):
    reviews = list(Review.objects.select_related("store", "order"))
    assert reviews
    for review in reviews:
        catalogue = demo_store(review.store.code)
        product = catalogue.product(review.sku)  # raises StopIteration for another store's product
        assert review.product == product.name
        if review.order is not None:
            assert review.sku in {item["sku"] for item in review.order.items}
    # Words that only fit another store's goods: no damp tea on a silk scarf, no bangle in a tea store.
    foreign = {"silk-tmall": "茶玉受潮", "jade-jd": "茶丝受潮", "tea-own": "丝玉镯围巾"}
    for review in reviews:
        assert not set(review.text) & set(foreign[review.store.code]), review.text


def test_eu_store_orders_are_in_euros_and_planned(demo):
    orders = Order.objects.filter(store__code="tea-own")
    assert set(orders.values_list("currency", flat=True)) == {"EUR"}
    planned = FollowUp.objects.filter(order__store__code="tea-own")
    assert planned.exclude(status="suppressed").exists()
    assert not planned.filter(suppressed_reason=SuppressedReason.UNKNOWN_CURRENCY).exists()


def test_demo_admin_can_reach_the_admin_site(demo, client):
    # Through the login page, as a person would (the lockout backend needs the request Client.login lacks).
    login = client.post("/accounts/login/", {"username": "demo-admin", "password": "demo-admin-pass"})
    assert login.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_eu_store_names_its_products_in_english_and_the_chinese_stores_in_chinese():
    """The Berlin store sells to customers across Europe: its English texts name what they bought in English."""
    import re

    cjk = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
    for store in STORES:
        names = [product.name for product in store.products]
        if store.currency == "EUR":
            assert not any(cjk.search(name) for name in names), names
        else:
            assert all(cjk.search(name) for name in names), names
