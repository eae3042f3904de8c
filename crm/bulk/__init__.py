"""Bulk writes: the one place that knows which database it talks to.

Services hand rows to these functions and read plain answers back; none of them reads ``connection.vendor``.
PostgreSQL (production and the tests) gets set-based statements: ``jsonb_to_recordset`` inserts and upserts, COPY,
``UPDATE ... FROM (VALUES ...)``. The embedded default, SQLite, gets the same rules through the ORM, row by row
(correct and slow, which is what a one-machine demo needs). ``tests/crm/test_bulk.py`` holds both to the same
answers and the same rows (ADR 0019).

- ``insert_returning(model, rows)``: insert rows given as {attname: value}; their ids (and external ids) back.
- ``copy_rows(model, rows, ids=...)``: the fastest insert there is, for rows nothing conflicts with.
- ``insert_ignoring_conflicts(model, rows)``: insert, skipping rows a unique constraint already holds.
- ``insert_new(model, rows, key=...)``: insert the rows whose key is not stored yet; their ids back by key.
- ``update_rows(model, rows, fields=..., match=...)``: many rows, each its own values, in one statement.
- ``upsert(spec, rows, now=...)``: create or update by a key under the rules of an ``Upsert`` spec, among them
  "what is unknown never erases what is known" (``keep_known``), stated once as data.
- ``reserve(spec, rows, now=...)``: an id for every row before ``upsert`` writes them, so rows of other tables can
  point to them first and the upsert's row locks are held for less of the transaction; and the rows the upsert
  still has to write (a re-sent batch: none).
- ``estimated_count(queryset)``: about how many rows a query matches, without reading them (PostgreSQL's planner).
- ``storage.set_fillfactor(table, percent)``: a migration operation leaving room on a table's pages (PostgreSQL).
- ``__any_of`` (``crm.bulk.lookups``): membership in a long list as one array parameter; ``__key_in``: a batch's
  keys, probed through a unique index.
"""

from django.db import connection

from crm.bulk import portable, postgres
from crm.bulk.spec import Promote, Reservation, Upsert, UpsertResult


def _backend():
    return postgres if connection.vendor == "postgresql" else portable


def insert_returning(model, rows: list[dict]) -> list[tuple]:
    """Insert rows ({attname: value}, all with the same keys) in one statement; returns (id,) per row, or
    (id, external_id) when the rows carry an external_id, in no particular order."""
    return _backend().insert_returning(model, rows) if rows else []


def copy_rows(model, rows: list[dict], *, ids: bool = False, same: dict | None = None) -> list[int]:
    """Insert rows ({attname: value}, all with the same keys; ``same`` holds the values every row shares, the
    model's defaults fill the rest). With ``ids=True`` the new ids come back in the rows' order. A conflict raises
    IntegrityError and writes nothing."""
    return _backend().copy_rows(model, rows, ids=ids, same=same or {}) if rows else []


def insert_ignoring_conflicts(model, rows: list[dict]) -> int:
    """Insert rows, leaving out those a unique constraint already holds (or another row of the batch)."""
    return _backend().insert_ignoring_conflicts(model, rows) if rows else 0


def insert_new(model, rows: list[dict], *, key: tuple[str, ...]) -> dict[tuple, int]:
    """Insert the rows ({attname: value}, all with the same keys, unique by ``key`` within ``rows``) whose ``key``
    (the fields of a unique constraint) is not stored; the model's defaults fill the other columns. Returns
    {key values: id} of the rows inserted: a row left out is stored already (or was inserted meanwhile by a
    concurrent transaction, which this one waited for). Rows go in in key order, so two concurrent batches lock
    the same keys in the same order."""
    return _backend().insert_new(model, rows, key=tuple(key)) if rows else {}


def existing(model, *, fields: tuple[str, ...], keys: list[tuple], where: dict | None = None) -> set[tuple]:
    """Which of `keys` (tuples of the values of `fields`) are stored, among the rows matching `where`."""
    return _backend().existing(model, fields=fields, keys=keys, where=where or {}) if keys else set()


def update_rows(model, rows: list[tuple], *, fields: list[str], match: list[str] = ()) -> None:
    """rows: (pk, *values of `fields`, *values of `match`). Each row is written only while its `match` columns
    still hold the given values (a claim that is still current, say)."""
    if rows:
        _backend().update_rows(model, rows, fields=list(fields), match=list(match))


def upsert(spec: Upsert, rows: list[dict], *, now) -> dict[tuple, UpsertResult]:
    """Create or update rows by ``spec.key``; returns {key values: UpsertResult(id, created, changed)} for every row.

    Rows equal to what is stored are left untouched (no write, no new updated_at). Keys must be unique within
    ``rows``. Rows are written in key order, so two concurrent batches lock rows in the same order.
    """
    if not rows:
        return {}
    return _backend().upsert(spec, _filled(spec, rows), now=now)


def _filled(spec: Upsert, rows: list[dict]) -> list[dict]:
    if set(spec.compared) - rows[0].keys():
        return [{**dict.fromkeys(spec.compared), **row} for row in rows]  # a field left out is unknown
    return rows


def reserve(spec: Upsert, rows: list[dict], *, now) -> Reservation:
    """An id for every row (``ids``: the stored row's, or one drawn for a row not stored yet) and the rows still to
    be written (``pending``, each with its id as "id"): pass those to ``upsert`` later in the same transaction; until
    then other rows may refer to the ids (foreign keys are checked at commit).

    On PostgreSQL nothing is written or locked here. A row equal to what is stored (under the spec's rules) is not
    pending: should a concurrent transaction change that row before this one commits, its change stands, as if this
    batch had come first. ``upsert`` answers with the stored id where a concurrent transaction stored a new key
    first: the caller moves what pointed to the drawn id. The embedded SQLite lets one writer in at a time, so the
    rows are upserted here (stamped ``now``) and none is left pending. ``before`` holds the stored values of the
    spec's ``tracked`` fields for each stored row the batch changes.
    """
    return _backend().reserve(spec, _filled(spec, rows), now=now) if rows else Reservation({}, [])


def on_postgresql() -> bool:
    """For set-based SQL that is not one of the writes above (a refresh spelled per database): the choice of
    spelling is made by asking here, so the vendor is read in this package only."""
    return connection.vendor == "postgresql"


def estimated_count(queryset) -> int:
    """About how many rows `queryset` matches, read without counting them (an admin list past its exact bound)."""
    return _backend().estimated_count(queryset)


def lock_names(names) -> None:
    """Hold a transaction-scoped lock on each name until commit (see crm.services.locks)."""
    _backend().lock_names(sorted(set(names)))


__all__ = [
    "Promote",
    "Reservation",
    "Upsert",
    "UpsertResult",
    "copy_rows",
    "estimated_count",
    "existing",
    "insert_ignoring_conflicts",
    "insert_new",
    "insert_returning",
    "lock_names",
    "on_postgresql",
    "reserve",
    "update_rows",
    "upsert",
]
