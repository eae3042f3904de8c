"""Transaction-scoped locks on names: writers that must not interleave wait for each other until commit.

Names are locked in sorted order, so two writers locking overlapping sets cannot deadlock on them. On PostgreSQL
each is an advisory lock; SQLite (the embedded default) lets one writer in at a time anyway (crm.bulk).
"""

from collections.abc import Iterable

from crm import bulk


def advisory_lock(names: Iterable[str]) -> None:
    """Hold a lock on each name until the current transaction ends (call inside one)."""
    bulk.lock_names(names)
