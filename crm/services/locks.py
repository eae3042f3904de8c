"""Transaction-scoped locks on names: writers that must not interleave wait for each other until commit.

Names are locked in sorted order, so two writers locking overlapping sets cannot deadlock on them. On PostgreSQL
each is an advisory lock; SQLite (the embedded default) lets one writer in at a time anyway (crm.bulk).
"""

from collections.abc import Iterable

from crm import bulk
from crm.models import Case, Customer


def advisory_lock(names: Iterable[str]) -> None:
    """Hold a lock on each name until the current transaction ends (call inside one)."""
    bulk.lock_names(names)


def case_lock(case: Case) -> Case:
    """The case's row, read again and locked until the current transaction ends: a write on a case decides on what the
    case is now, not on the copy its caller loaded before another writer changed it."""
    return Case.objects.select_for_update().get(pk=case.pk)


def customers_lock(customer_ids: Iterable[int]) -> None:
    """Lock these customers' rows, in id order, until the current transaction ends.

    The lock order of a write about a customer's contacts (docs/decisions/0037-lock-order.md): the customer first,
    then their follow-ups, case calls, cases and calls, then other apps' rows about them. Their wishes (an opt-out
    reply, a profile change) are written under the customer's lock and then take back their planned calls; a write
    that starts from a call (an outcome, a click) takes the customer's lock before the call's, so the two queue on
    the customer instead of each holding what the other waits for.

    FOR NO KEY UPDATE, as every lock taken on a customer for their contacts: it queues the writers about them and
    still lets a row that only names the customer go in (a care SMS planned by the missed-call sweep, a ledger row).
    Such an insert checks its foreign key with FOR KEY SHARE, which FOR UPDATE would make wait behind the lock's
    holder, while the inserting sweep may hold the very call the holder waits for."""
    ids = sorted(set(customer_ids))
    if ids:
        list(
            Customer.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def customers_lock_free(customer_ids: Iterable[int]) -> set[int]:
    """Lock those of these customers no other transaction holds, in id order, skipping the others (SKIP LOCKED);
    returns the ids locked. For a sweeper that claims rows about customers: it takes their customers first, as every
    writer does (ADR 0037), and never waits on them; a row whose customer is held waits for the next sweep."""
    ids = sorted(set(customer_ids))
    if not ids:
        return set()
    return set(
        Customer.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
