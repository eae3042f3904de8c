"""One small store with every kind of customer, built the same way on any database, for the SQLite parity test."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
COLUMNS = ["orders_count", "total_spent", "days_since_last", "cycle_days", "overdue_days", "recency_score",
           "frequency_score", "monetary_score", "products", "categories", "avg_rating", "bad_reviews_30d",
           "complaints_90d", "open_cases", "region", "gender", "birthday_month", "age", "vip_tier"]  # fmt: skip


def build():
    from callbacks.models import FollowUpPolicy
    from crm.models import Case, Customer, Order, Store

    store = Store.objects.create(code="parity", name="Parity", platform="tmall", timezone="Asia/Shanghai")
    plans = [  # (days ago of each order, amount, sku, category), gender, birthday, region
        ([263, 203, 143], "4000.00", "SKU-1", "scarves", "female", date(1985, 3, 9), "浙江"),
        ([5, 1], "120.50", "SKU-2", "tea", "male", date(2000, 12, 31), "上海"),
        ([40], "899.00", "SKU-3", "", "unknown", None, ""),
        ([], "0", "", "", "female", date(1990, 7, 14), "北京"),
        ([400, 300, 200, 100, 10], "2500.00", "SKU-1", "scarves", "male", date(1970, 1, 1), "浙江"),
    ]
    for index, (days, amount, sku, category, gender, birthday, region) in enumerate(plans):
        customer = Customer.objects.create(store=store, external_id=f"c{index}", name=f"顾客{index}",
                                           gender=gender, birthday=birthday, region=region)  # fmt: skip
        for n, ago in enumerate(days):
            item = {"sku": sku, "name": "x", "quantity": 1, "unit_price": amount}
            if category:
                item["category"] = category
            placed = NOW - timedelta(days=ago)
            Order.objects.create(store=store, customer=customer, external_id=f"o{index}-{n}",
                                 total_amount=Decimal(amount), items=[item], placed_at=placed)  # fmt: skip
        if index == 2:  # an order of two items counts once, and brings both
            items = [{"sku": "SKU-9", "name": "x", "quantity": 1, "unit_price": "10", "category": "gifts"},
                     {"sku": "SKU-3", "name": "y", "quantity": 2, "unit_price": "20", "category": "gifts"}]  # fmt: skip
            Order.objects.create(store=store, customer=customer, external_id=f"o{index}-two", items=items,
                                 total_amount=Decimal("50"), placed_at=NOW - timedelta(days=20))  # fmt: skip
        if index == 4:  # an order without items still counts
            Order.objects.create(store=store, customer=customer, external_id=f"o{index}-none", items=[],
                                 total_amount=Decimal("70"), placed_at=NOW - timedelta(days=2))  # fmt: skip
        if index == 1:
            Case.objects.create(store=store, customer=customer, source="manual", opened_at=NOW - timedelta(days=3))
    # Spend in the store's currency (ADR 0036): dollars at the follow-up policy's rate, pounds (no rate) as nothing.
    FollowUpPolicy.objects.create(store=store, exchange_rates={"USD": "7.10", "EUR": "7.80"})
    abroad = Customer.objects.create(store=store, external_id="c5", name="顾客5", gender="female", region="")
    for n, (amount, currency) in enumerate((("100.00", "USD"), ("33.33", "EUR"), ("80.00", "GBP"))):
        Order.objects.create(store=store, customer=abroad, external_id=f"o5-{n}", total_amount=Decimal(amount),
                             currency=currency, items=[], placed_at=NOW - timedelta(days=30 + n))  # fmt: skip
    return store


def attributes(store) -> list[list]:
    from retention.models import CustomerAttributes

    rows = CustomerAttributes.objects.filter(store=store).order_by("customer__external_id")
    return [[str(v) if v is not None else None for v in row] for row in rows.values_list(*COLUMNS)]


# Ages (crm.birthdays.age_on): birthdays around the end of February and the turn of the year, counted on days around
# them in a store in Shanghai, east of UTC (the store's day is not UTC's: 16:00 UTC is the next day's midnight there).
AGE_BIRTHDAYS = [date(1992, 2, 29), date(1991, 2, 28), date(1992, 2, 28), date(1992, 3, 1), date(2000, 12, 31),
                 date(1970, 1, 1), None, date(2027, 3, 1)]  # fmt: skip
AGE_NOWS = [
    datetime(2027, 2, 27, 15, 59, tzinfo=UTC),  # Feb 27 in Shanghai
    datetime(2027, 2, 27, 16, 0, tzinfo=UTC),  # Feb 28 in Shanghai (a year without Feb 29), still Feb 27 in UTC
    datetime(2027, 2, 28, 16, 0, tzinfo=UTC),  # Mar 1 in Shanghai
    datetime(2028, 2, 27, 16, 0, tzinfo=UTC),  # Feb 28 in Shanghai, a leap year
    datetime(2028, 2, 28, 16, 0, tzinfo=UTC),  # Feb 29
    datetime(2028, 2, 29, 16, 0, tzinfo=UTC),  # Mar 1
    datetime(2026, 12, 31, 15, 59, tzinfo=UTC),  # Dec 31
    datetime(2026, 12, 31, 16, 0, tzinfo=UTC),  # Jan 1
]


def build_ages():
    from crm.models import Customer, Store

    store = Store.objects.create(code="ages", name="Ages", platform="tmall", timezone="Asia/Shanghai")
    for index, birthday in enumerate(AGE_BIRTHDAYS):
        Customer.objects.create(store=store, external_id=f"a{index}", name=f"顾客{index}", birthday=birthday)
    return store


def ages(store) -> list[list]:
    """The store's customers' ages (in AGE_BIRTHDAYS' order) after a refresh at each of AGE_NOWS."""
    from retention.models import CustomerAttributes
    from retention.services.segments import attributes_refresh

    rows = []
    for now in AGE_NOWS:
        attributes_refresh(store=store, now=now)
        attrs = CustomerAttributes.objects.filter(store=store).order_by("customer__external_id")
        rows.append(list(attrs.values_list("age", flat=True)))
    return rows
