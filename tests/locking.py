"""Concurrency tests: let a writer that holds a lock go on only once another session is waiting for it.

A fixed sleep only makes the interleaving likely (and slows every run); this makes it certain. pg_locks is a live
view (pg_stat_activity would be read from a snapshot cached for the asking transaction).
"""

import threading
import time
from collections.abc import Callable

from django.db import connection, transaction

# Sessions of this test database only: other test runs may share the server. The activity view is read afresh each
# time (`pg_stat_clear_snapshot`): inside a transaction it would otherwise be the first read's, and miss new sessions.
_WAITERS = (
    "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"
    " AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())"
)


def wait_until_another_session_waits(timeout: float = 120.0, *, sessions: int = 1) -> None:
    """Poll until some other session of the server (or `sessions` of them) waits for a lock; fail the test after
    `timeout` seconds (generous: the other writer may first load the review classifier, and a passing run never waits
    that long)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(_WAITERS)
            if cursor.fetchone()[0] >= sessions:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"no other session waited for a lock within {timeout} s")
            time.sleep(0.005)


def hold_until_another_session_waits_or(done, timeout: float = 30.0) -> bool:
    """Like wait_until_another_session_waits, but give up once `done` (a threading.Event) is set: the other writer
    finished without waiting, which is what a test proving a missing lock must see fail, not hang. True if it waited.
    """
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while not done.is_set():
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(_WAITERS)
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() > deadline:
                raise AssertionError(f"no other session waited for a lock within {timeout} s")
            time.sleep(0.005)
    return False


def overlapping(first: Callable[[], object], second: Callable[[], object]) -> bool:
    """Two runs overlapping: `first` in a transaction of another session (a thread), held open until `second`, run
    here, waits for it (or finishes without waiting), then committed. True if `second` waited. An error of `second`
    propagates; `first` must not fail."""
    started, second_done, waited = threading.Event(), threading.Event(), []

    def run_first():
        try:
            with transaction.atomic():
                first()
                started.set()
                waited.append(hold_until_another_session_waits_or(second_done))
        finally:
            started.set()
            connection.close()

    thread = threading.Thread(target=run_first)
    thread.start()
    started.wait()
    try:
        second()
    finally:
        second_done.set()
        thread.join()
    return bool(waited and waited[0])


def backend_pid() -> int:
    """This thread's session's PostgreSQL backend pid."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def hold_lock(lock: Callable[[], object], release: threading.Event) -> tuple[threading.Thread, int]:
    """A session that takes `lock` in a transaction and keeps it until `release` is set: its thread, once it holds the
    lock, and its backend pid (for `pg_blocking_pids`)."""
    held, pid = threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                pid.append(backend_pid())
                lock()
                held.set()
                release.wait(timeout=120)
        finally:
            held.set()
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    return thread, pid[0]


def queued_behind_a_lock(lock: Callable[[], object], *writers: Callable[[], object]) -> list[BaseException | None]:
    """Run `writers`, each in a thread with its own session, queued in the given order behind a lock that `lock` takes
    (in a transaction of yet another session): each writer starts once the ones before it wait for a lock, and the
    lock is let go once all of them wait. So they then run into each other in the same order on every run. Returns
    each writer's error, or None."""
    release = threading.Event()
    errors: list[BaseException | None] = [None] * len(writers)

    def run(index: int, writer: Callable[[], object]):
        try:
            writer()
        except BaseException as exc:  # reported to the test, which asserts on it
            errors[index] = exc
        finally:
            connection.close()

    holder, _ = hold_lock(lock, release)
    threads = []
    try:
        for index, writer in enumerate(writers):
            thread = threading.Thread(target=run, args=(index, writer))
            thread.start()
            threads.append(thread)
            wait_until_another_session_waits(timeout=30, sessions=index + 1)
    finally:
        release.set()
        holder.join()
        for thread in threads:
            thread.join()
    return errors
