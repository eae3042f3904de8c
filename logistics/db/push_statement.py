"""A routine tracking push applied in one statement on PostgreSQL (ADR 0021).

Kuaidi100 pushes every parcel's whole history again on each move, so pushes are the logistics hot path. The rules
are `logistics.services.updates`' (checkpoints kept by time and text, the state taken only from a newer push, the
row written only when something differs); here they are spelled as one SQL statement, prepared once per database
session and sent in one round trip, its commit not waiting for the disk (as `durability.py`'s). Only routine
pushes come here — a parcel moving, not signed for, its subscription not aborted: a delivery and a resubscription
take the ORM path, which calls crm's services. `tests/logistics/test_push_statement.py` holds the two to the same
rows and answers with Hypothesis.

Concurrency: the parcel's row is locked first (``FOR UPDATE`` in id order, like the ORM path); every value the
rules read is taken from the locked row — the newest committed version — never from a second read of the table.
A prepared statement lives in its database session: behind a pooler, sessions must not be shared between clients
(PgBouncer's session mode, not its transaction mode).

On SQLite (the embedded default) there is no statement: `push_apply` answers None and the caller takes the ORM path.
"""

from __future__ import annotations

import re
import weakref
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection

from crm.bulk import on_postgresql

if TYPE_CHECKING:
    from logistics.services.updates import TrackedCheckpoint

# The statement is prepared once per database session (planning it cost more than running it): its parameters,
# in order, with their types.
_PARAMETERS = {
    "number": "text", "couriers": "text[]", "state": "text", "at": "timestamptz[]", "text": "text[]",
    "location": "text[]", "status": "text[]", "newest_at": "timestamptz", "newest_text": "text",
    "newest_location": "text", "oldest_at": "timestamptz", "provider_status": "text", "now": "timestamptz",
}  # fmt: skip
_NAME = "logistics_push_apply"

_SQL = """
WITH s AS (
    SELECT sh.id, sh.first_scan_at, sh.state, sh.last_event_at, sh.last_event_text, sh.last_event_location,
           sh.deliver_by, sh.is_open, sh.provider_status, st.timezone
    FROM logistics_shipment AS sh JOIN crm_store AS st ON st.id = sh.store_id
    WHERE sh.tracking_number = %(number)s AND sh.courier = ANY(%(couriers)s)
    ORDER BY sh.id
    FOR UPDATE OF sh
), ins AS (
    INSERT INTO logistics_checkpoint (shipment_id, at, text, location, status, received_at)
    SELECT s.id, c.at, c.text, c.location, c.status, %(now)s
    FROM s CROSS JOIN unnest(%(at)s::timestamptz[], %(text)s::text[], %(location)s::text[], %(status)s::text[])
         AS c(at, text, location, status)
    ON CONFLICT (shipment_id, at, text) DO NOTHING
    RETURNING shipment_id
), counted AS MATERIALIZED (
    SELECT s.*, (SELECT count(*) FROM ins WHERE ins.shipment_id = s.id) AS added FROM s
), decided AS MATERIALIZED (
    SELECT counted.*,
           %(state)s::text IS NOT NULL AND (last_event_at IS NULL OR %(newest_at)s > last_event_at
               OR (%(newest_at)s = last_event_at AND added > 0)) AS takes
    FROM counted
), next AS (
    SELECT id, added,
           CASE WHEN %(oldest_at)s::timestamptz IS NOT NULL
                     AND (first_scan_at IS NULL OR %(oldest_at)s < first_scan_at)
                THEN %(oldest_at)s ELSE first_scan_at END AS first_scan_at,
           CASE WHEN takes THEN %(state)s ELSE state END AS state,
           CASE WHEN takes THEN %(newest_at)s ELSE last_event_at END AS last_event_at,
           CASE WHEN takes THEN %(newest_text)s ELSE last_event_text END AS last_event_text,
           CASE WHEN takes THEN %(newest_location)s ELSE last_event_location END AS last_event_location,
           CASE WHEN NOT takes THEN deliver_by
                WHEN %(state)s = 'out_for_delivery'
                THEN (((%(newest_at)s AT TIME ZONE timezone)::date + 1)::timestamp AT TIME ZONE timezone)
           END AS deliver_by,
           CASE WHEN takes THEN true ELSE is_open END AS is_open,
           CASE WHEN %(provider_status)s <> '' THEN %(provider_status)s ELSE provider_status END AS provider_status
    FROM decided
), written AS (
    UPDATE logistics_shipment AS sh
    SET first_scan_at = x.first_scan_at, state = x.state, last_event_at = x.last_event_at,
        last_event_text = x.last_event_text, last_event_location = x.last_event_location,
        deliver_by = x.deliver_by, is_open = x.is_open, provider_status = x.provider_status, updated_at = %(now)s
    FROM next AS x
    WHERE sh.id = x.id
      AND (sh.first_scan_at, sh.state, sh.last_event_at, sh.last_event_text, sh.last_event_location,
           sh.deliver_by, sh.is_open, sh.provider_status)
          IS DISTINCT FROM
          (x.first_scan_at, x.state, x.last_event_at, x.last_event_text, x.last_event_location,
           x.deliver_by, x.is_open, x.provider_status)
    RETURNING sh.id
)
SELECT next.id, next.added, EXISTS (SELECT 1 FROM written WHERE written.id = next.id) FROM next ORDER BY next.id
"""
_POSITION = {name: n for n, name in enumerate(_PARAMETERS, 1)}
_PREPARE = f"PREPARE {_NAME} ({', '.join(_PARAMETERS.values())}) AS " + re.sub(
    r"%\((\w+)\)s", lambda match: f"${_POSITION[match.group(1)]}", _SQL
)
_EXECUTE = f"SET LOCAL synchronous_commit = off; EXECUTE {_NAME} ({', '.join(f'%({name})s' for name in _PARAMETERS)})"
_prepared_on: weakref.WeakSet = weakref.WeakSet()  # the driver's connections that hold the statement


def push_apply(
    *,
    number: str,
    couriers: tuple[str, ...],
    state: str | None,
    checkpoints: list[TrackedCheckpoint],
    newest: TrackedCheckpoint | None,
    oldest_at: datetime | None,
    provider_status: str,
    now: datetime,
) -> list[tuple[int, int, bool]] | None:
    """Apply a routine push to every shipment with the number and courier: `checkpoints` without repeats, the newest
    and the oldest as the rules pick them. One statement, its own transaction (call it outside an atomic block: the
    commit is relaxed, and one round trip is the point). Returns (shipment id, checkpoints added, row written) for
    each, [] when none matches; None on a database without the statement."""
    if not on_postgresql():
        return None
    params = {
        "number": number,
        "couriers": list(couriers),
        "state": state,
        "at": [c.at for c in checkpoints],
        "text": [c.text for c in checkpoints],
        "location": [c.location for c in checkpoints],
        "status": [c.status for c in checkpoints],
        "newest_at": newest.at if newest else None,
        "newest_text": newest.text if newest else "",
        "newest_location": newest.location if newest else "",
        "oldest_at": oldest_at,
        "provider_status": provider_status,
        "now": now,
    }
    with connection.cursor() as cursor:
        if connection.connection not in _prepared_on:
            cursor.execute(_PREPARE)
            _prepared_on.add(connection.connection)
        cursor.execute(_EXECUTE, params)
        return [(pk, added, written) for pk, added, written in cursor.fetchall()]
