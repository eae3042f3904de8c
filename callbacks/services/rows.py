"""Set-based writes for planning: many follow-ups in one statement, many dedicated owners in one update.

Planning a busy evening writes tens of thousands of rows inside one transaction; building a Django model per
row and letting bulk_create prepare each field costs more than the rest of planning together. On PostgreSQL
rows go in through COPY (ids drawn from the table's sequence first); other databases (SQLite, the embedded
default) use the ORM.
"""

import csv
import io
from collections import defaultdict
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg2.extras import execute_values

from callbacks.models import FollowUp
from crm.models import Customer

# Columns planning leaves at their defaults.
_DEFAULTS = {
    "attempts": 0, "outcome": "", "message_body": "", "provider_id": "", "provider_status": "", "error_code": "",
}  # fmt: skip


def followups_insert(rows: list[dict[str, Any]]) -> list[int]:
    """Insert follow-ups given as {attname: value}, all with the same keys. Returns their ids, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = FollowUp.objects.bulk_create([FollowUp(**row) for row in rows], batch_size=1000)
        return [followup.pk for followup in created]
    now = timezone.now()
    columns = ["id", *rows[0], *_DEFAULTS, "created_at", "updated_at"]
    tail = (*_DEFAULTS.values(), now, now)
    table = FollowUp._meta.db_table
    text_columns = [
        f.column for f in FollowUp._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")
    ]
    with connection.cursor() as cursor:
        # Ids first, from the table's own sequence, so COPY (which returns nothing) can carry them.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # csv writes str(value): ISO dates, "2026-11-23 10:00:00+00:00", True/False, None as NULL.
        writer.writerows((pk, *row.values(), *tail) for pk, row in zip(ids, rows, strict=True))
        buffer.seek(0)
        # An empty unquoted field is NULL in CSV; text columns are never NULL here.
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
            f"({', '.join(c for c in text_columns if c in columns)}))",
            buffer,
        )
    return ids


def customers_set_dedicated_owner(owners: dict[int, int]) -> None:
    """{customer id: agent id} in one statement on PostgreSQL."""
    if not owners:
        return
    if connection.vendor != "postgresql":
        by_owner: dict[int, list[int]] = defaultdict(list)
        for customer_id, agent_id in owners.items():
            by_owner[agent_id].append(customer_id)
        for agent_id, customer_ids in by_owner.items():
            Customer.objects.filter(pk__in=customer_ids).update(dedicated_owner_id=agent_id)
        return
    table = Customer._meta.db_table
    sql = (
        f"UPDATE {table} AS c SET dedicated_owner_id = v.owner, updated_at = now() "  # noqa: S608
        "FROM (VALUES %s) AS v(id, owner) WHERE c.id = v.id"
    )
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, list(owners.items()), page_size=5000)


def followups_set(*, rows: list[FollowUp], fields: list[str], sending_since: dict[int, Any] | None = None) -> None:
    rows_set(model=FollowUp, rows=rows, fields=fields, sending_since=sending_since)


def rows_set(*, model: type, rows: list, fields: list[str], sending_since: dict[int, Any] | None = None) -> None:
    """Write each row's `fields` (its current attribute values) in one statement on PostgreSQL.

    With `sending_since` ({id: claimed_at}) a row is only written while it is still `sending` under that
    claim, so a status callback that already recorded the send is never overwritten. Any SMS queue's model
    (callbacks.services.dispatch.SmsQueue) can be written so.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        for row in rows:
            query = model.objects.filter(pk=row.pk)
            if sending_since is not None:
                query = query.filter(status=FollowUp.Status.SENDING, claimed_at=sending_since[row.pk])
            query.update(**{name: getattr(row, name) for name in fields})
        return
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    casts = {c: meta.get_field(n).db_type(connection) for n, c in zip(fields, columns, strict=True)}
    assignments = ", ".join(f"{c} = v.{c}::{casts[c]}" for c in columns)
    values = [(row.pk, *(getattr(row, name) for name in fields)) for row in rows]
    guard = ""
    if sending_since is not None:
        guard = " AND f.status = 'sending' AND f.claimed_at = v.since::timestamptz"
        values = [(*value, sending_since[value[0]]) for value in values]
        columns = [*columns, "since"]
    sql = (
        f"UPDATE {meta.db_table} AS f SET {assignments}, updated_at = now() "  # noqa: S608
        f"FROM (VALUES %s) AS v(id, {', '.join(columns)}) WHERE f.id = v.id{guard}"
    )
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, values, page_size=1000)
