"""The inbound event log: every accepted row kept as it came, once per distinct payload."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import IntegrityError, transaction

from crm import bulk
from crm.models import ApiToken, InboundEvent
from crm.services.ingestion.inputs import Payload


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

    Known payloads are looked up first by hash, so a re-sent batch costs index probes only; the new ones go
    in with a plain copy. Should a concurrent batch log one of them in between, the copy is rolled back to its
    savepoint and the rows go in again, skipping the ones logged meanwhile (ADR 0013).
    """
    payloads = [
        Payload(store_id, external_id, payload_hash(payload), payload) for store_id, external_id, payload in events
    ]
    logged = _logged_keys(kind=kind, payloads=payloads)
    new = [p for p in payloads if (p.store_id, p.external_id, p.hash) not in logged]
    if not new:
        return 0
    same = {"kind": kind, "token_id": token.pk if token else None, "received_at": received_at}
    rows = [
        {
            "store_id": p.store_id,
            "external_id": p.external_id,
            "payload": orjson.dumps(p.content).decode(),  # keys in the order they came
            "payload_hash": p.hash,
        }
        for p in new
    ]
    try:
        with transaction.atomic():
            bulk.copy_rows(InboundEvent, rows, same=same)
        return len(rows)
    except IntegrityError:
        return bulk.insert_ignoring_conflicts(InboundEvent, [{**row, **same} for row in rows])


def _logged_keys(*, kind: str, payloads: list[Payload]) -> set[tuple[int, str, str]]:
    """The (store_id, external_id, payload_hash) keys among `payloads` that are logged already."""
    keys = [(p.store_id, p.external_id, p.hash) for p in payloads]
    fields = ("store_id", "external_id", "payload_hash")
    return bulk.existing(InboundEvent, fields=fields, keys=keys, where={"kind": kind})
