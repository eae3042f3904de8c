"""A push's commit that does not wait for the disk (ADR 0021). The database is asked about through crm.bulk, the one
place that reads the vendor.

Only for tracking pushes: every push carries the parcel's whole history, so a push lost in a crash in the moment
before PostgreSQL's WAL writer flushes is restored by the provider's next push of the same parcel. On SQLite (the
embedded default) it is a no-op.
"""

from django.db import connection

from crm.bulk import on_postgresql


def relaxed_commit() -> None:
    """Call inside the push's transaction: `SET LOCAL synchronous_commit = off` on PostgreSQL."""
    if on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
