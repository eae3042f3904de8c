"""The set-based refresh of a store's customer attributes: one INSERT ... SELECT ... ON CONFLICT (ADR 0018).

The statement is shared; the few expressions the two databases spell differently (days between two times,
unnesting an order's items, month and age of a birthday) come from a dialect chosen here; crm.bulk says which
database it is. Reviews are read by table name when the reviews app is installed: retention never imports it
(apps depend on crm and callbacks only).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import connection

from crm import bulk
from crm.models import Case, Customer, Order

from .models import CustomerAttributes, RetentionPolicy

_COLUMNS = [
    "customer_id",
    "store_id",
    "refreshed_at",
    "orders_count",
    "total_spent",
    "first_order_at",
    "last_order_at",
    "days_since_last",
    "cycle_days",
    "overdue_days",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "products",
    "categories",
    "avg_rating",
    "bad_reviews_30d",
    "complaints_90d",
    "open_cases",
    "region",
    "gender",
    "birthday_month",
    "age",
    "vip_tier",
]


@dataclass(frozen=True)
class _Postgres:
    def days(self, later: str, earlier: str) -> str:
        return f"floor(extract(epoch from ({later} - {earlier})) / 86400)::int"  # whole days, divided as integers

    def items(self, order: str) -> str:
        """The order's items as rows `i` with their `value` (joined to the order ON true)."""
        return (
            f"jsonb_array_elements(CASE WHEN jsonb_typeof({order}.items) = 'array' "
            f"THEN {order}.items ELSE '[]'::jsonb END) WITH ORDINALITY AS i(value, number)"
        )

    def first_item(self) -> str:
        """True on an order's first item row, or on its only row when it has no items."""
        return "(i.number IS NULL OR i.number = 1)"

    def item_field(self, item: str, key: str) -> str:
        return f"NULLIF({item}.value ->> '{key}', '')"

    def joined(self, expr: str) -> str:
        return f"string_agg(DISTINCT {expr}, '|')"

    def score(self, rank: str) -> str:
        """1..5 from a percent_rank in [0, 1] (ties share a score)."""
        return f"1 + floor(4.999 * {rank})::int"

    def month(self, day: str) -> str:
        return f"extract(month from {day})::int"

    def age(self, day: str, today: str) -> str:
        """The age on `today` of one born on `day`, as crm.birthdays.age_on counts it: a year older on the birthday in
        today's year, which for one born on Feb 29 is Feb 28 in a year without one (adding years to a date keeps it
        within its month: Feb 29 1992 plus 35 years is Feb 28 2027). One born after today is 0; no birthday, NULL."""
        years = f"(date_part('year', {today}::date) - date_part('year', {day}))::int"
        return (
            f"CASE WHEN {day} > {today}::date THEN 0"
            f" ELSE {years} - ({day} + make_interval(years => {years}) > {today}::date)::int END"
        )

    def time(self, moment: datetime) -> object:
        return moment

    def amount(self, value: Decimal) -> object:
        return value

    def session(self) -> list[str]:
        """Settings for this transaction only: the statement sorts and hashes every customer of the store once
        (more memory keeps that off the disk), and compiling it (JIT) costs more than it saves."""
        return ["SET LOCAL jit = off", "SET LOCAL work_mem = '256MB'"]

    def today(self, day: date) -> object:
        return day

    def set_vip_tier(self) -> str:
        return (
            f"UPDATE {_CUSTOMER} AS c SET vip_tier = a.vip_tier FROM {_ATTRS} AS a "  # noqa: S608
            "WHERE a.customer_id = c.id AND a.store_id = %(store)s AND c.vip_tier <> a.vip_tier"
        )


@dataclass(frozen=True)
class _Sqlite(_Postgres):
    def days(self, later: str, earlier: str) -> str:
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def items(self, order: str) -> str:
        return f"json_each(CASE WHEN json_type({order}.items) = 'array' THEN {order}.items ELSE '[]' END) AS i"

    def first_item(self) -> str:
        return "(i.key IS NULL OR i.key = 0)"  # json_each numbers an array's elements from 0 in `key`

    def item_field(self, item: str, key: str) -> str:
        return f"NULLIF(json_extract({item}.value, '$.{key}'), '')"

    def joined(self, expr: str) -> str:
        # SQLite's group_concat(DISTINCT x) takes no separator.
        return f"replace(group_concat(DISTINCT {expr}), ',', '|')"

    def score(self, rank: str) -> str:
        return f"1 + CAST(4.999 * {rank} AS INTEGER)"  # CAST truncates in SQLite (PostgreSQL rounds)

    def month(self, day: str) -> str:
        return f"CAST(strftime('%%m', {day}) AS INTEGER)"

    def age(self, day: str, today: str) -> str:
        # No SQLite date stays within its month (Feb 29 plus a year is Mar 1): the month and day of the birthday are
        # compared with today's, Feb 29 read as Feb 28 when today's year has none (its Mar 1 less a day is the 28th).
        month_day = f"strftime('%%m-%%d', {day})"
        no_feb_29 = f"strftime('%%d', strftime('%%Y', {today}) || '-03-01', '-1 day') = '28'"
        anniversary = f"CASE WHEN {month_day} = '02-29' AND {no_feb_29} THEN '02-28' ELSE {month_day} END"
        return (
            f"CASE WHEN {day} > {today} THEN 0"
            f" ELSE CAST(strftime('%%Y', {today}) AS INTEGER) - CAST(strftime('%%Y', {day}) AS INTEGER)"
            f" - (strftime('%%m-%%d', {today}) < {anniversary}) END"
        )

    def time(self, moment: datetime) -> object:
        return moment.replace(tzinfo=None).isoformat(sep=" ")

    def session(self) -> list[str]:
        return []

    def amount(self, value: Decimal | None) -> object:
        # Django hands SQLite a Decimal as text, and SQLite ranks any text above any number.
        return None if value is None else float(value)

    def today(self, day: date) -> object:
        return day.isoformat()


_CUSTOMER, _ORDER, _CASE = Customer._meta.db_table, Order._meta.db_table, Case._meta.db_table
_ATTRS = CustomerAttributes._meta.db_table
_COUNTED = "('cancelled', 'returned')"  # orders that were not a purchase
_OPEN_CASE = "(" + ", ".join(f"'{s}'" for s in Case.OPEN_STATUSES) + ")"


def _dialect() -> _Postgres:
    return _Postgres() if bulk.on_postgresql() else _Sqlite()


def _reviews_table() -> str | None:
    return apps.get_model("reviews", "Review")._meta.db_table if apps.is_installed("reviews") else None


def _spend(currencies: int) -> str:
    """An order's total in the store's currency: its own times the rate of its currency (`%(currency_N)s`,
    `%(rate_N)s`), NULL for a currency no rate converts (summed as nothing)."""
    whens = " ".join(f"WHEN %(currency_{n})s THEN o.total_amount * %(rate_{n})s" for n in range(currencies))
    return f"CASE o.currency {whens} END"


def _statement(d: _Postgres, currencies: int) -> str:
    """One pass over the store's orders, each item a narrow row (`x`), grouped per customer (`o`); the three
    scores ranked over those narrow rows (`sc`); then every customer with the reviews' and cases' figures.
    (Grouping the orders' rows once, sorted narrow, is what keeps this within ADR 0018's minute at a million
    customers: an index walk by customer over five million orders was most of the time.)"""
    reviews = _reviews_table()
    review_cte = (
        f"""r AS (SELECT customer_id, avg(rating) AS avg_rating,
                  sum(CASE WHEN rating <= 2 AND posted_at >= %(since30)s THEN 1 ELSE 0 END) AS bad30
                FROM {reviews} WHERE store_id = %(store)s AND customer_id IS NOT NULL GROUP BY customer_id)"""  # noqa: S608
        if reviews
        else "r AS (SELECT NULL AS customer_id, NULL AS avg_rating, 0 AS bad30 WHERE 1 = 0)"
    )
    return f"""
WITH x AS MATERIALIZED (
  SELECT o.customer_id, {_spend(currencies)} AS total_amount, o.placed_at, {d.first_item()} AS first_item,
         {d.item_field("i", "sku")} AS sku, {d.item_field("i", "category")} AS cat
  FROM {_ORDER} AS o LEFT JOIN {d.items("o")} ON true
  WHERE o.store_id = %(store)s AND o.status NOT IN {_COUNTED}
), o AS (
  SELECT customer_id, count(*) FILTER (WHERE first_item) AS n,
         COALESCE(sum(total_amount) FILTER (WHERE first_item), 0) AS spent,
         min(placed_at) AS first_at, max(placed_at) AS last_at, {d.joined("sku")} AS skus, {d.joined("cat")} AS cats
  FROM x GROUP BY customer_id
), sc AS (
  SELECT customer_id, {d.score("percent_rank() OVER (ORDER BY last_at)")} AS recency,
         {d.score("percent_rank() OVER (ORDER BY n)")} AS frequency,
         {d.score("percent_rank() OVER (ORDER BY spent)")} AS monetary
  FROM o
), {review_cte}, k AS (
  SELECT customer_id, sum(CASE WHEN opened_at >= %(since90)s THEN 1 ELSE 0 END) AS complaints,
         sum(CASE WHEN status IN {_OPEN_CASE} THEN 1 ELSE 0 END) AS open_cases
  FROM {_CASE} WHERE store_id = %(store)s GROUP BY customer_id
), b AS (
  SELECT c.id, c.region, c.gender, c.birthday, COALESCE(o.n, 0) AS n, COALESCE(o.spent, 0) AS spent,
         o.first_at, o.last_at, o.skus, o.cats, {d.days("%(now)s", "o.last_at")} AS since,
         CASE WHEN o.n >= 2 THEN {d.days("o.last_at", "o.first_at")} / (o.n - 1)
              WHEN o.n = 1 THEN %(default_cycle)s END AS cycle
  FROM {_CUSTOMER} AS c LEFT JOIN o ON o.customer_id = c.id
  WHERE c.store_id = %(store)s
)
INSERT INTO {_ATTRS} ({", ".join(_COLUMNS)})
SELECT b.id, %(store)s, %(now)s, b.n, b.spent, b.first_at, b.last_at, b.since, b.cycle,
       CASE WHEN b.since > b.cycle THEN b.since - b.cycle ELSE 0 END,
       COALESCE(sc.recency, 0), COALESCE(sc.frequency, 0), COALESCE(sc.monetary, 0),
       COALESCE('|' || b.skus || '|', ''), COALESCE('|' || b.cats || '|', ''),
       r.avg_rating, COALESCE(r.bad30, 0), COALESCE(k.complaints, 0), COALESCE(k.open_cases, 0),
       b.region, b.gender, {d.month("b.birthday")}, {d.age("b.birthday", "%(today)s")},
       CASE WHEN b.n < %(vip_orders)s THEN 0 WHEN b.spent >= %(platinum)s THEN 3 WHEN b.spent >= %(gold)s THEN 2
            WHEN b.spent >= %(silver)s THEN 1 ELSE 0 END
FROM b LEFT JOIN sc ON sc.customer_id = b.id LEFT JOIN r ON r.customer_id = b.id LEFT JOIN k ON k.customer_id = b.id
WHERE true
ON CONFLICT (customer_id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])}
"""  # noqa: S608  (table names and fixed fragments only; every value is a parameter)


def attributes_refresh_rows(
    *, store_id: int, policy: RetentionPolicy, spend_rates: dict[str, Decimal], now: datetime, today: date
) -> int:
    """Recompute every customer of the store in one statement, then copy vip_tier onto changed customers.
    Returns how many attribute rows were written.

    `spend_rates` is {currency: its worth in the store's currency} (the store's own at 1): the spend of an order in a
    currency not in it is unknown, and adds nothing (a customer with no valued order has spent 0, the lowest
    money score, never the highest)."""
    d = _dialect()
    params = {
        "store": store_id,
        "now": d.time(now),
        "today": d.today(today),
        "since30": d.time(now - timedelta(days=30)),
        "since90": d.time(now - timedelta(days=90)),
        "default_cycle": policy.default_cycle_days,
        "vip_orders": policy.vip_min_orders,
        "silver": d.amount(policy.silver_min_spent),
        "gold": d.amount(policy.gold_min_spent),
        "platinum": d.amount(policy.platinum_min_spent),
    }
    rates = sorted(spend_rates.items())
    for n, (currency, rate) in enumerate(rates):
        params[f"currency_{n}"], params[f"rate_{n}"] = currency, d.amount(rate)
    with connection.cursor() as cursor:
        for setting in d.session():
            cursor.execute(setting)
        cursor.execute(_statement(d, len(rates)), params)
        written = cursor.rowcount
        cursor.execute(d.set_vip_tier(), {"store": store_id})
    return written
