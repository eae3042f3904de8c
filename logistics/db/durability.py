"""Vendor-specific SQL, kept here so services never read connection.vendor (docs/decisions/0014-parcel-tracking.md).

`relaxed_commit()`: the current transaction's commit does not wait for its WAL to reach the disk (PostgreSQL's
`SET LOCAL synchronous_commit = off`; a no-op elsewhere). For a tracking push only: every push carries the
parcel's whole history, so a push lost in a crash in the few hundred milliseconds before the WAL writer flushes
is restored by the provider's next push of the same parcel. Never for anything a provider does not resend.
"""

from django.db import connection


def relaxed_commit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
