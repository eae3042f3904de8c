"""SQL that depends on the database, kept here so services never read connection.vendor (ADR 0018).

`checkpoints_insert_new`: one statement adds a push's checkpoints, skipping those already kept, and says how many
were new. On PostgreSQL it also lets the push's transaction commit without waiting for its WAL to reach the disk
(`SET LOCAL synchronous_commit = off`, sent with the insert: no round trip of its own). That is only for tracking
pushes: every push carries the parcel's whole history, so a push lost in a crash in the moment before the WAL
writer flushes is restored by the provider's next push of the same parcel.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from logistics.models import Checkpoint

_COLUMNS = "shipment_id, at, text, location, status, received_at"


def checkpoints_insert_new(*, shipment_id: int, rows: Sequence[tuple[datetime, str, str, str]], now: datetime) -> int:
    """Insert (at, text, location, status) rows for a shipment; returns how many were not kept before."""
    if not rows:
        return 0
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list = []
    for at, text, location, status in rows:
        params += [shipment_id, at, text, location, status, now]
    insert = (
        f"INSERT INTO {Checkpoint._meta.db_table} ({_COLUMNS}) VALUES {values} "  # noqa: S608 (constant SQL)
        "ON CONFLICT (shipment_id, at, text) DO NOTHING RETURNING 1"
    )
    relaxed = "SET LOCAL synchronous_commit = off; " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(relaxed + insert, params)
        return len(cursor.fetchall())
