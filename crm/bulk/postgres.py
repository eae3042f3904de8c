"""PostgreSQL versions of crm.bulk: set-based statements built from the models' own metadata.

Table and column names come from model metadata, never from input; values always travel as parameters (one JSON
document, a COPY stream, or execute_values' VALUES list).
"""

import hashlib
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

import orjson
from django.db import connection
from psycopg2.extras import execute_values

from crm.bulk.spec import Reservation, Upsert, UpsertResult, default_of

_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
# Statements built from model metadata, by what shapes them: building one costs more than a small batch's run.
_SQL_CACHE: dict[tuple, str] = {}


def _json(rows: list[dict]) -> str:
    return orjson.dumps(rows, default=str, option=_JSON_OPTIONS).decode()  # default=str: Decimal as exact text


def _columns(model, names: Iterable[str]) -> list[tuple[str, str]]:
    """(column, SQL type) of each attname, as jsonb_to_recordset needs them."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [(fields[name].column, fields[name].db_type(connection)) for name in names]


def _column_of(model) -> dict[str, str]:
    """Each concrete field's attname, to its column."""
    return {f.attname: f.column for f in model._meta.concrete_fields}


def _recordset(model, names: list[str], parameter: str = "%s", alias: str = "r") -> str:
    typed = ", ".join(f"{column} {sql_type}" for column, sql_type in _columns(model, names))
    # jsonb, not json: json_to_recordset re-parses every json value it converts.
    return f"jsonb_to_recordset({parameter}::jsonb) AS {alias}({typed})"


def _defaults(model, given: Iterable[str]) -> dict[str, Any]:
    """What the ORM would store in every concrete column a row leaves out (the primary key excepted)."""
    return {
        f.attname: default_of(f) for f in model._meta.concrete_fields if not f.primary_key and f.attname not in given
    }


def insert_returning(model, rows: list[dict]) -> list[tuple]:
    names = list(rows[0])
    columns = ", ".join(column for column, _ in _columns(model, names))
    returning = "id, external_id" if "external_id" in names else "id"
    sql = (
        f"INSERT INTO {model._meta.db_table} ({columns}) "  # noqa: S608
        f"SELECT {columns} FROM {_recordset(model, names)} RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_json(rows)])
        return cursor.fetchall()


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return orjson.dumps(value, default=str).decode()
    return value


def _default_params(defaults: dict[str, Any]) -> dict[str, Any]:
    """The parameters (%(default_<name>)s) that carry the model's defaults into an INSERT ... SELECT."""
    return {f"default_{n}": _csv_value(v) for n, v in defaults.items()}


def _copy_escape(value: str | None) -> str:
    """A text value in COPY's text format: NULL is \\N; backslash, tab, newline and carriage return are escaped
    (str.replace: a csv writer's quoting cost more than the rest of the copy)."""
    if value is None:
        return "\\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_json(value: Any) -> str:
    return "\\N" if value is None else _copy_escape(orjson.dumps(value, default=str).decode())


def _copy_moment(value: date | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _copy_plain(value: Any) -> str:
    """Numbers and booleans: their str() is COPY's text (True and False are booleans to PostgreSQL)."""
    return "\\N" if value is None else str(value)


_TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_MOMENT_TYPES = {"DateTimeField", "DateField"}


def _copy_converter(field):
    """How a column's values are written: chosen once per column, not per value."""
    kind = field.get_internal_type()
    if kind in _TEXT_TYPES:
        return _copy_escape
    if kind == "JSONField":
        return _copy_json
    return _copy_moment if kind in _MOMENT_TYPES else _copy_plain


def copy_rows(model, rows: list[dict], *, ids: bool, same: dict) -> list[int]:
    names = list(rows[0])
    defaults = {**_defaults(model, [*names, *same]), **same}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = [fields[name].column for name in [*names, *defaults]]
    tail = "".join("\t" + _copy_converter(fields[n])(v) for n, v in defaults.items())
    convert = [_copy_converter(fields[name]) for name in names]
    table = model._meta.db_table
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        if ids:
            # COPY returns nothing: draw the ids from the table's own sequence first, and send them along.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
            )
            new_ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, "id")
        lines = ["\t".join([c(v) for c, v in zip(convert, row.values(), strict=True)]) for row in rows]
        if ids:
            lines = [f"{pk}\t{line}" for pk, line in zip(new_ids, lines, strict=True)]
        buffer = io.StringIO(f"{tail}\n".join(lines) + f"{tail}\n")
        # copy_expert is psycopg2's own: wrap_database_errors turns its errors into Django's (IntegrityError).
        with connection.wrap_database_errors:
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return new_ids


def insert_ignoring_conflicts(model, rows: list[dict]) -> int:
    names = list(rows[0])
    columns = ", ".join(column for column, _ in _columns(model, names))
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES %s ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, [tuple(row.values()) for row in rows], page_size=len(rows))
        return cursor.rowcount


def _insert_new_sql(model, names: list[str], defaults: dict[str, Any], key: tuple[str, ...]) -> str:
    col = _column_of(model)
    keys = ", ".join(col[k] for k in key)
    inserted = ", ".join(col[n] for n in [*names, *defaults])
    selected = ", ".join([*(col[n] for n in names), *(f"%(default_{n})s" for n in defaults)])
    return (
        f"INSERT INTO {model._meta.db_table} ({inserted}) "  # noqa: S608 (model metadata only)
        f"SELECT {selected} FROM {_recordset(model, names, '%(rows)s')} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO NOTHING RETURNING id, {keys}"
    )


def insert_new(model, rows: list[dict], *, key: tuple[str, ...]) -> dict[tuple, int]:
    names = list(rows[0])
    defaults = _defaults(model, names)
    cache_key = (model, tuple(names), tuple(defaults), key)
    if (sql := _SQL_CACHE.get(cache_key)) is None:
        sql = _SQL_CACHE[cache_key] = _insert_new_sql(model, names, defaults, key)
    params = {"rows": _json(rows), **_default_params(defaults)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(key_values): pk for pk, *key_values in cursor.fetchall()}


def existing(model, *, fields: tuple[str, ...], keys: list[tuple], where: dict) -> set[tuple]:
    # One probe per key through the table's unique index, the keys joined in as one JSON parameter.
    col = _column_of(model)
    matched = " AND ".join([*(f"e.{col[f]} = k.{col[f]}" for f in fields), *(f"e.{col[w]} = %s" for w in where)])
    sql = (
        f"SELECT {', '.join(f'e.{col[f]}' for f in fields)} FROM {model._meta.db_table} e "  # noqa: S608
        f"JOIN {_recordset(model, list(fields), alias='k')} ON TRUE WHERE {matched}"
    )
    rows = orjson.dumps([dict(zip(fields, key, strict=True)) for key in keys]).decode()
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows, *where.values()])
        return set(cursor.fetchall())


def update_rows(model, rows: list[tuple], *, fields: list[str], match: list[str]) -> None:
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    matched = [meta.get_field(name).column for name in match]
    types = {
        c: meta.get_field(n).db_type(connection) for n, c in zip([*fields, *match], [*columns, *matched], strict=True)
    }
    assignments = ", ".join(f"{c} = v.{c}::{types[c]}" for c in columns)
    guard = "".join(f" AND t.{c} = v.m_{c}::{types[c]}" for c in matched)
    touch = ", updated_at = now()" if any(f.attname == "updated_at" for f in meta.concrete_fields) else ""
    names = ", ".join([*columns, *(f"m_{c}" for c in matched)])
    sql = (
        f"UPDATE {meta.db_table} AS t SET {assignments}{touch} "  # noqa: S608
        f"FROM (VALUES %s) AS v(id, {names}) WHERE t.id = v.id{guard}"
    )
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, page_size=1000)


# An upsert is one statement: one probe a row finds what is stored, rows equal to it are left out (ON CONFLICT DO
# UPDATE locks, and so writes, every conflicting row even when its WHERE then skips it) and answered with the stored
# id, the rest are inserted in key order (two concurrent batches lock rows in the same order). xmax = 0 marks an
# inserted row.
def _keep(spec: Upsert, name: str, column: str, new: str) -> str:
    """SQL for what the stored column becomes under row `new` (unknown keeps the stored value)."""
    if name not in spec.keep_known or spec.keep_known[name] is None:
        return f"COALESCE({new}.{column}, o.{column})" if name in spec.keep_known else f"{new}.{column}"
    return f"CASE WHEN {new}.{column} = %(unknown_{name})s THEN o.{column} ELSE {new}.{column} END"


def _normalised(spec: Upsert, names: list[str]) -> str:
    """The incoming rows' columns, unknown read as its marker (the ``t`` of the statements below)."""
    col = _column_of(spec.model)
    return ", ".join(
        f"COALESCE({col[n]}, %(unknown_{n})s) AS {col[n]}"
        if n in spec.keep_known and spec.keep_known[n] is not None
        else col[n]
        for n in names
    )


def _differs(spec: Upsert, new: str) -> str:
    """SQL: whether row `new` would change the stored row ``o`` (unknown keeps the stored value)."""
    col = _column_of(spec.model)
    stored = ", ".join(f"o.{col[n]}" for n in spec.compared)
    merged = ", ".join(_keep(spec, n, col[n], new) for n in spec.compared)
    return f"({stored}) IS DISTINCT FROM ({merged})"


def _unknown_params(spec: Upsert) -> dict[str, Any]:
    return {f"unknown_{n}": v for n, v in spec.keep_known.items() if v is not None}


def _upsert_sql(spec: Upsert, names: list[str], defaults: dict[str, Any]) -> str:
    model = spec.model
    table = model._meta.db_table
    col = _column_of(model)
    key = ", ".join(col[k] for k in spec.key)
    inserted = [col[n] for n in names]
    selected = [col[n] for n in names]
    assignments = [f"{col[n]} = {_keep(spec, n, col[n], 'EXCLUDED')}" for n in spec.compared]
    if promote := spec.promote:
        c, known = col[promote.field], col[promote.when_known]
        inserted.append(c)
        selected.append(f"CASE WHEN {known} IS NULL THEN %(initial)s ELSE %(promoted)s END")
        merged_known = _keep(spec, promote.when_known, known, "EXCLUDED")
        assignments.append(
            f"{c} = CASE WHEN o.{c} = %(initial)s AND {merged_known} IS NOT NULL THEN %(promoted)s ELSE o.{c} END"
        )
    for name in defaults:
        inserted.append(col[name])
        selected.append(f"%(default_{name})s")
    for stamp in {spec.touch, spec.created} - {""}:
        inserted.append(col[stamp])
        selected.append("%(now)s")
    if spec.touch:
        assignments.append(f"{col[spec.touch]} = EXCLUDED.{col[spec.touch]}")
    return f"""
WITH t AS (SELECT {_normalised(spec, names)} FROM {_recordset(model, names, "%(rows)s")}),
j AS (
    SELECT t.*, o.id AS stored_id__, (o.id IS NULL OR {_differs(spec, "t")}) AS differs__
    FROM t LEFT JOIN {table} o USING ({key})
),
up AS (
    INSERT INTO {table} AS o ({", ".join(inserted)})
    SELECT {", ".join(selected)} FROM j WHERE differs__ ORDER BY {key}
    ON CONFLICT ({key}) DO UPDATE SET {", ".join(assignments)}
    WHERE {_differs(spec, "EXCLUDED")}
    RETURNING o.id, {", ".join(f"o.{col[k]}" for k in spec.key)}, (o.xmax = 0) AS created
)
SELECT *, true FROM up
UNION ALL
SELECT stored_id__, {", ".join(col[k] for k in spec.key)}, false, false FROM j WHERE NOT differs__
"""  # noqa: S608 (model metadata only; values are parameters)


def upsert(spec: Upsert, rows: list[dict], *, now) -> dict[tuple, UpsertResult]:
    names = list(rows[0])
    skipped = {*spec.key, *spec.compared, spec.touch, spec.created}
    if spec.promote:
        skipped.add(spec.promote.field)
    defaults = _defaults(spec.model, skipped | set(names))
    cache_key = (id(spec), tuple(names), tuple(defaults))
    if (sql := _SQL_CACHE.get(cache_key)) is None:
        sql = _SQL_CACHE[cache_key] = _upsert_sql(spec, names, defaults)
    params: dict[str, Any] = {"rows": _json(rows), "now": now}
    params.update(_unknown_params(spec))
    params.update(_default_params(defaults))
    if spec.promote:
        params.update(initial=spec.promote.initial, promoted=spec.promote.promoted)
    width = len(spec.key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {tuple(key): UpsertResult(pk, created, written) for pk, *key, created, written in cursor.fetchall()}
        if len(found) < len(rows):
            # Rows a concurrent batch stored after the statement's snapshot, as given: the ON CONFLICT WHERE left
            # them as they were, and the next statement sees them.
            table, col = spec.model._meta.db_table, _column_of(spec.model)
            keys = [{k: row[k] for k in spec.key} for row in rows]
            cursor.execute(
                f"SELECT o.id, {', '.join(f'o.{col[k]}' for k in spec.key)} FROM {table} o "  # noqa: S608
                f"JOIN {_recordset(spec.model, list(spec.key))} USING ({', '.join(col[k] for k in spec.key)})",
                [_json(keys)],
            )
            for pk, *key in cursor.fetchall():
                found.setdefault(tuple(key[:width]), UpsertResult(pk, False, False))
    return found


def _reserve_sql(spec: Upsert, names: list[str]) -> str:
    # COALESCE evaluates its second argument only where the key is not stored: one id drawn per new row.
    model = spec.model
    table, col = model._meta.db_table, _column_of(model)
    keys = ", ".join(col[k] for k in spec.key)
    tracked = "".join(f", o.{col[name]}" for name in spec.tracked)
    return (
        f"WITH t AS (SELECT {_normalised(spec, names)} FROM {_recordset(model, names, '%(rows)s')}) "  # noqa: S608
        f"SELECT COALESCE(o.id, nextval(pg_get_serial_sequence('{table}', 'id'))), {keys}, "
        f"(o.id IS NULL OR {_differs(spec, 't')}), o.id IS NOT NULL{tracked} FROM t LEFT JOIN {table} o USING ({keys})"
    )


def reserve(spec: Upsert, rows: list[dict], *, now) -> Reservation:
    names = list(rows[0])
    if (sql := _SQL_CACHE.get(cache_key := (id(spec), "reserve", tuple(names)))) is None:
        sql = _SQL_CACHE[cache_key] = _reserve_sql(spec, names)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"rows": _json(rows), **_unknown_params(spec)})
        answers = cursor.fetchall()
    given = {tuple(row[k] for k in spec.key): row for row in rows}
    ids, pending, before = {}, [], {}
    width = len(spec.key)
    for pk, *answer in answers:
        key, (differs, stored, *tracked) = tuple(answer[:width]), answer[width:]
        ids[key] = pk
        if differs:
            pending.append({"id": pk, **given[key]})
            if stored and spec.tracked:
                before[key] = dict(zip(spec.tracked, tracked, strict=True))
    return Reservation(ids, pending, before)


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def lock_names(names: list[str]) -> None:
    # Each name a 64-bit key (a hash: two names may share one, which only makes an unrelated writer wait), taken
    # in the sorted names' order, so two writers locking overlapping sets cannot deadlock on them.
    keys = [_lock_key(name) for name in names]
    if keys:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(k, n) ORDER BY n",
                [keys],
            )


def estimated_count(queryset) -> int:
    """The planner's estimate of the rows `queryset` matches: EXPLAIN plans the query and reads no row (the table's
    statistics, pg_class.reltuples scaled to its current size, and each filter's selectivity)."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
