"""Upsert orders and their customers by (store, external_id), a whole batch in a few statements.

Writes happen only where something changed (IS DISTINCT FROM), so re-posting a batch leaves every row,
its updated_at and the event log as they were. Optional fields that are absent, null, empty or "unknown"
keep their stored value.
"""

from datetime import datetime
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from crm.models import ApiToken, InboundEvent
from crm.services.ingestion import portable
from crm.services.ingestion.events import inbound_events_record
from crm.services.ingestion.inputs import CustomerInput, OrderInput, OrderUpsertResult
from crm.signals import orders_upserted


# "Unknown", empty or absent never erases what is known: a later row without the field keeps the stored value.
# Each rule is written once, for an incoming row `new`: the batch's row `t` before the upsert (to leave unchanged
# rows out of it) and EXCLUDED inside it. The batch's rows come with "unknown" and "" for absent values, as EXCLUDED
# has them after the INSERT's defaults.
def _customer_keeps(new: str) -> tuple[str, str, str]:
    """Gender, birthday and region as a row `new` leaves them on the stored customer c."""
    return (
        f"CASE WHEN {new}.gender = 'unknown' THEN c.gender ELSE {new}.gender END",
        f"COALESCE({new}.birthday, c.birthday)",
        f"COALESCE(NULLIF({new}.region, ''), c.region)",
    )


def _customer_differs(new: str) -> str:
    gender, birthday, region = _customer_keeps(new)
    return (
        "(c.name, c.phone, c.gender, c.birthday, c.region) "
        f"IS DISTINCT FROM ({new}.name, {new}.phone, {gender}, {birthday}, {region})"
    )


_CUSTOMER_COLUMNS = "store_id bigint, external_id text, name text, phone text, gender text, birthday date, region text"
_KEEP_GENDER, _KEEP_BIRTHDAY, _KEEP_REGION = _customer_keeps("EXCLUDED")

# One statement per table: upsert, writing only rows where something differs, then the ids of every row of
# the batch. The upsert's RETURNING gives new and changed rows (xmax = 0 marks an insert); the plain
# SELECT sees the table as it was before the statement, so it adds the unchanged ones. Rows are inserted in
# key order so two concurrent batches take their row locks in the same order. Rows equal to what is stored
# are left out of the upsert first (`changed`): ON CONFLICT DO UPDATE locks, and so writes, every
# conflicting row even when its WHERE then skips the update, so a re-posted batch would dirty every page it
# touches. Skipping a row equal to this statement's snapshot is safe: it is as if the statement ran just
# before a concurrent writer of that row.
_CUSTOMERS_UPSERT = f"""
WITH t AS (
    SELECT store_id, external_id, name, phone, COALESCE(gender, 'unknown') AS gender, birthday,
           COALESCE(region, '') AS region
    FROM json_to_recordset(%(rows)s::json) AS r({_CUSTOMER_COLUMNS})
),
changed AS (
    SELECT t.* FROM t LEFT JOIN crm_customer c USING (store_id, external_id)
    WHERE c.id IS NULL OR {_customer_differs("t")}
),
up AS (
    INSERT INTO crm_customer AS c (store_id, external_id, name, phone, gender, birthday, region, personality_type,
                                   interests, notes, contact_preference, sms_opt_out, vip_tier, created_at, updated_at)
    SELECT store_id, external_id, name, phone, gender, birthday, region, '', '[]'::jsonb, '', 'any', false, 0,
           %(now)s, %(now)s
    FROM changed ORDER BY store_id, external_id
    ON CONFLICT (store_id, external_id) DO UPDATE
    SET name = EXCLUDED.name, phone = EXCLUDED.phone, gender = {_KEEP_GENDER}, birthday = {_KEEP_BIRTHDAY},
        region = {_KEEP_REGION}, updated_at = EXCLUDED.updated_at
    WHERE {_customer_differs("EXCLUDED")}
    RETURNING c.id, c.store_id, c.external_id
)
SELECT id, store_id, external_id FROM up
UNION ALL
SELECT c.id, c.store_id, c.external_id FROM crm_customer c JOIN t USING (store_id, external_id)
"""  # noqa: S608 (only constant SQL fragments are interpolated)


def _order_keeps(new: str) -> tuple[str, str, str]:
    """Shipping time, courier and tracking number as a row `new` leaves them on the stored order o."""
    return (
        f"COALESCE({new}.shipped_at, o.shipped_at)",
        f"COALESCE(NULLIF({new}.courier, ''), o.courier)",
        f"COALESCE(NULLIF({new}.tracking_number, ''), o.tracking_number)",
    )


def _order_differs(new: str) -> str:
    shipped_at, courier, tracking_number = _order_keeps(new)
    return (
        "(o.customer_id, o.total_amount, o.currency, o.items, o.placed_at, o.shipped_at, o.courier, o.tracking_number) "
        f"IS DISTINCT FROM ({new}.customer_id, {new}.total_amount, {new}.currency, {new}.items, {new}.placed_at, "
        f"{shipped_at}, {courier}, {tracking_number})"
    )


# jsonb_to_recordset: the items come out already as jsonb; json_to_recordset would re-parse each one (~2x slower).
_ORDER_COLUMNS = (
    "store_id bigint, external_id text, customer_id bigint, total_amount numeric, currency text, items jsonb, "
    "placed_at timestamptz, shipped_at timestamptz, courier text, tracking_number text"
)
_KEEP_SHIPPED_AT, _KEEP_COURIER, _KEEP_TRACKING = _order_keeps("EXCLUDED")

_ORDERS_UPSERT = f"""
WITH t AS (
    SELECT store_id, external_id, customer_id, total_amount, currency, items, placed_at, shipped_at,
           COALESCE(courier, '') AS courier, COALESCE(tracking_number, '') AS tracking_number
    FROM jsonb_to_recordset(%(rows)s::jsonb) AS r({_ORDER_COLUMNS})
),
changed AS (
    SELECT t.* FROM t LEFT JOIN crm_order o USING (store_id, external_id)
    WHERE o.id IS NULL OR {_order_differs("t")}
),
up AS (
    INSERT INTO crm_order AS o (store_id, external_id, customer_id, total_amount, currency, items, placed_at,
                                shipped_at, delivered_at, courier, tracking_number, status, created_at, updated_at)
    SELECT store_id, external_id, customer_id, total_amount, currency, items, placed_at, shipped_at, NULL,
           courier, tracking_number, CASE WHEN shipped_at IS NULL THEN 'placed' ELSE 'shipped' END, %(now)s, %(now)s
    FROM changed ORDER BY store_id, external_id
    ON CONFLICT (store_id, external_id) DO UPDATE
    SET customer_id = EXCLUDED.customer_id, total_amount = EXCLUDED.total_amount, currency = EXCLUDED.currency,
        items = EXCLUDED.items, placed_at = EXCLUDED.placed_at, shipped_at = {_KEEP_SHIPPED_AT},
        courier = {_KEEP_COURIER}, tracking_number = {_KEEP_TRACKING},
        status = CASE WHEN o.status = 'placed' AND {_KEEP_SHIPPED_AT} IS NOT NULL THEN 'shipped' ELSE o.status END,
        updated_at = EXCLUDED.updated_at
    WHERE {_order_differs("EXCLUDED")}
    RETURNING o.id, o.store_id, o.external_id, (o.xmax = 0) AS created
)
SELECT id, store_id, external_id, created FROM up
UNION ALL
SELECT o.id, o.store_id, o.external_id, false FROM crm_order o JOIN t USING (store_id, external_id)
"""  # noqa: S608 (only constant SQL fragments are interpolated)

# Rows a concurrent batch inserted after a statement's snapshot are visible to the next statement.
_CUSTOMER_IDS = """
SELECT c.id, c.store_id, c.external_id FROM crm_customer c
JOIN json_to_recordset(%(rows)s::json) AS t(store_id bigint, external_id text) USING (store_id, external_id)
"""
_ORDER_IDS = """
SELECT o.id, o.store_id, o.external_id, false FROM crm_order o
JOIN json_to_recordset(%(rows)s::json) AS t(store_id bigint, external_id text) USING (store_id, external_id)
"""


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()  # default=str: Decimal as its exact decimal text


def _customers_upsert(*, customers: list[CustomerInput], now: datetime) -> dict[tuple[int, str], int]:
    # One customer may place several orders of a batch: the last row's data wins.
    unique = {(c.store_id, c.external_id): c for c in customers}
    rows = _json(
        [
            {
                "store_id": c.store_id,
                "external_id": c.external_id,
                "name": c.name,
                "phone": c.phone,
                "gender": c.gender,
                "birthday": c.birthday,
                "region": c.region,
            }
            for c in unique.values()
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(_CUSTOMERS_UPSERT, {"rows": rows, "now": now})
        ids = {(store_id, external_id): pk for pk, store_id, external_id in cursor.fetchall()}
        if len(ids) < len(unique):
            cursor.execute(_CUSTOMER_IDS, {"rows": rows})
            ids.update({(store_id, external_id): pk for pk, store_id, external_id in cursor.fetchall()})
    return ids


def _orders_upsert_set_based(
    *, orders: list[OrderInput], customer_ids: dict[tuple[int, str], int], now: datetime
) -> dict[tuple[int, str], tuple[int, bool]]:
    rows = _json(
        [
            {
                "store_id": o.store_id,
                "external_id": o.external_id,
                "customer_id": customer_ids[(o.customer.store_id, o.customer.external_id)],
                "total_amount": o.total_amount,
                "currency": o.currency,
                "items": o.items,
                "placed_at": o.placed_at,
                "shipped_at": o.shipped_at,
                "courier": o.courier,
                "tracking_number": o.tracking_number,
            }
            for o in orders
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(_ORDERS_UPSERT, {"rows": rows, "now": now})
        found: dict[tuple[int, str], tuple[int, bool]] = {}
        for pk, store_id, external_id, created in cursor.fetchall():
            # A changed row comes back twice (upserted, and as it was before): created if either says so.
            created |= found.get((store_id, external_id), (pk, False))[1]
            found[(store_id, external_id)] = (pk, created)
        if len(found) < len(orders):
            cursor.execute(_ORDER_IDS, {"rows": rows})
            for pk, store_id, external_id, created in cursor.fetchall():
                found.setdefault((store_id, external_id), (pk, created))
    return found


@transaction.atomic
def orders_upsert(*, orders: list[OrderInput], token: ApiToken | None) -> list[OrderUpsertResult]:
    """Create or update orders and their customers; results come back in the order of `orders`.

    Keys must be unique within the batch (the API rejects duplicates before calling this). PostgreSQL takes
    the set-based path; other databases (the embedded SQLite) the row-by-row one in `portable`.
    """
    now = timezone.now()
    customers = [o.customer for o in orders]
    if connection.vendor == "postgresql":
        customer_ids = _customers_upsert(customers=customers, now=now)
        found = _orders_upsert_set_based(orders=orders, customer_ids=customer_ids, now=now)
    else:
        customer_ids = portable.customers_upsert_row_by_row(customers=customers, now=now)
        found = portable.orders_upsert_row_by_row(orders=orders, customer_ids=customer_ids, now=now)
    inbound_events_record(
        kind=InboundEvent.Kind.ORDER,
        token=token,
        received_at=now,
        events=[(o.store_id, o.external_id, o.payload) for o in orders],
    )
    results = []
    for o in orders:
        pk, created = found[(o.store_id, o.external_id)]
        results.append(OrderUpsertResult(store_id=o.store_id, external_id=o.external_id, id=pk, created=created))
    orders_upserted.send(sender=OrderInput, orders=list(zip(orders, results, strict=True)))
    return results
