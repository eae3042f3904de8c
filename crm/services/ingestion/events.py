"""The inbound event log: every accepted row kept as it came, once per distinct payload."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import connection

from crm.models import ApiToken, InboundEvent
from crm.services.ingestion import portable

_LOGGED = """
SELECT e.store_id, e.external_id, e.payload_hash FROM crm_inboundevent e
JOIN json_to_recordset(%(rows)s::json) AS t(store_id bigint, external_id text, payload_hash text)
  ON e.store_id = t.store_id AND e.kind = %(kind)s AND e.external_id = t.external_id AND e.payload_hash = t.payload_hash
"""

_INSERT = """
INSERT INTO crm_inboundevent (kind, store_id, external_id, token_id, received_at, payload, payload_hash)
SELECT %(kind)s, t.store_id, t.external_id, %(token_id)s, %(received_at)s, t.payload, t.payload_hash
FROM jsonb_to_recordset(%(rows)s::jsonb) AS t(store_id bigint, external_id text, payload_hash text, payload jsonb)
ON CONFLICT (store_id, kind, external_id, payload_hash) DO NOTHING
"""


def payload_hash(payload: dict[str, Any]) -> str:
    """MD5 of the payload with its keys sorted at every level: the same content always has the same hash."""
    return hashlib.md5(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), usedforsecurity=False).hexdigest()


def inbound_events_record(
    *,
    kind: InboundEvent.Kind,
    token: ApiToken | None,
    received_at: datetime,
    events: Sequence[tuple[int, str, dict[str, Any]]],
) -> int:
    """Log (store_id, external_id, payload) triples not logged before; returns how many were new.

    Known payloads are looked up first by hash, so a re-sent batch costs index probes only, and PostgreSQL
    parses payloads into jsonb just for the new ones.
    """
    keyed = [(store_id, external_id, payload_hash(payload), payload) for store_id, external_id, payload in events]
    if connection.vendor != "postgresql":
        return portable.inbound_events_insert_row_by_row(kind=kind, token=token, received_at=received_at, keyed=keyed)
    with connection.cursor() as cursor:
        cursor.execute(
            _LOGGED,
            {
                "kind": kind,
                "rows": orjson.dumps(
                    [{"store_id": s, "external_id": e, "payload_hash": h} for s, e, h, _p in keyed]
                ).decode(),
            },
        )
        logged = set(cursor.fetchall())
        new = [
            {"store_id": s, "external_id": e, "payload_hash": h, "payload": p}
            for s, e, h, p in keyed
            if (s, e, h) not in logged
        ]
        if new:
            cursor.execute(
                _INSERT,
                {
                    "kind": kind,
                    "token_id": token.pk if token else None,
                    "received_at": received_at,
                    "rows": orjson.dumps(new).decode(),
                },
            )
    return len(new)
