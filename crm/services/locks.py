"""Transaction-scoped advisory locks on names: writers that must not interleave wait for each other until commit.

On PostgreSQL each name becomes a 64-bit key (a hash: two names may share one, which only makes an unrelated
writer wait). Names are locked in sorted order, so two writers locking overlapping sets cannot deadlock on them.
SQLite (the embedded default) lets one writer in at a time anyway, and takes no lock here.
"""

import hashlib
from collections.abc import Iterable

from django.db import connection


def _key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def advisory_lock(names: Iterable[str]) -> None:
    """Hold a lock on each name until the current transaction ends (call inside one)."""
    if connection.vendor != "postgresql":
        return
    keys = [_key(name) for name in sorted(set(names))]
    if keys:
        with connection.cursor() as cursor:
            # WITH ORDINALITY: taken in the sorted names' order, one statement for any number.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(k, n) ORDER BY n",
                [keys],
            )
