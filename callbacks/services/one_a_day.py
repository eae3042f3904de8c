"""One care contact per customer per store day on which it is made (ADR 0051), held when a planned contact moves.

Planning merges a customer's contacts of one store day as it plans them (services.planning). A contact planned
already can move to another day afterwards: placed again by a new time zone, new hours or a closure
(services.replan), moved by the overflow rule when its agent hands it on (services.handover), held to the next
sending hours by the claim (services.dispatch), or asked to be called back on another day (services.outcomes).
Where it lands on a day on which the customer already has a care contact, the two become one by planning's rule:

- a contact that stays as it is wins: one under way or made (sending, sent, in progress, done, failed), or a call
  planned again after an attempt was logged (a call back the customer asked for, whose time is theirs, or the retry
  of a call that rang unanswered: `contact_stays`); the others are merged into it;
- else the highest channel (a dedicated call, a call, a care SMS); of two alike, the one that was on that day
  already, else the one planned first;
- the others are suppressed, `merged` into it, and what was merged into them points at it too.

As in planning, a closed contact (done, failed) is that day's contact only when no live one is (a missed call's
care SMS instead is the day's contact). Only `planned` rows are suppressed, locked and guarded by their status: a
care SMS a sweeper has claimed is `sending` and stays the day's contact, and one suppressed here is never claimed
(a claim takes `planned` rows only and skips locked ones). The caller holds the customers' locks (ADR 0037).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from callbacks.models import CHANNEL_RANK, LIVE_STATUSES, CallAttempt, FollowUp
from crm.models import Store
from crm.timezones import store_local_datetime, to_store_local

from .rows import followups_set_merged_into

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason
CARE = FollowUp.Purpose.CARE


def care_contacts_locked(rows: QuerySet[FollowUp], *fields: str) -> QuerySet[FollowUp]:
    """The care contacts among `rows` that were not suppressed, to be locked (FOR UPDATE of the follow-ups: a claim
    skips them), each with `attempted` for `contact_stays`."""
    return (
        rows.select_for_update(of=("self",))
        .filter(purpose=CARE)
        .exclude(status=Status.SUPPRESSED)
        .annotate(attempted=Exists(CallAttempt.objects.filter(followup=OuterRef("pk"))))
        .only("id", "customer_id", "contact_day", "window_start", "status", "channel", *fields)
    )


def contact_stays(row: FollowUp) -> bool:
    """Never replaced nor moved by a merge: under way or made, or planned again after an attempt was logged on it (ADR
    0051): a call back at the time the customer chose, or the retry of a call that rang unanswered this evening, the
    same call's next try. `row` comes from `care_contacts_locked`."""
    return row.status != Status.PLANNED or row.attempted


def store_day(moment: datetime, store: Store) -> date:
    return to_store_local(moment, store).date()


def _bounds(store: Store, day: date) -> tuple[datetime, datetime]:
    return store_local_datetime(store, day, time(0)), store_local_datetime(store, day + timedelta(days=1), time(0))


def _winner(group: list[FollowUp], moved: set[int]) -> FollowUp:
    return max(group, key=lambda r: (contact_stays(r), CHANNEL_RANK[r.channel], r.pk not in moved, -r.pk))


def followups_hold_one_a_day(*, moved: Iterable[FollowUp], store: Store | None = None) -> dict[int, int]:
    """After planned care contacts moved (their new windows saved in this transaction, their customers locked): the
    customers' contacts on the days they moved to made one per day (see the module). `store`: the rows' one store
    (re-planning's), else each row's. Returns {id suppressed: id of the contact it was merged into}."""
    moved = [row for row in moved if row.purpose == CARE and row.status == Status.PLANNED]
    if not moved:
        return {}
    stores = {row.customer_id: store or row.store for row in moved}
    days = {(row.customer_id, store_day(row.window_start, stores[row.customer_id])) for row in moved}
    spans = [_bounds(stores[customer_id], day) for customer_id, day in days]
    found = care_contacts_locked(
        FollowUp.objects.filter(
            customer_id__in=stores,
            window_start__gte=min(s for s, _ in spans),
            window_start__lt=max(e for _, e in spans),
        )
    ).order_by("pk")
    groups: dict[tuple[int, date], list[FollowUp]] = defaultdict(list)
    for row in found:
        key = (row.customer_id, store_day(row.window_start, stores[row.customer_id]))
        if key in days:
            groups[key].append(row)
    moved_ids, merged = {row.pk for row in moved}, {}
    for group in groups.values():
        live = [row for row in group if row.status in LIVE_STATUSES]
        contacts = live or group
        if len(contacts) < 2:
            continue
        winner = _winner(contacts, moved_ids)
        merged.update({row.pk: winner.pk for row in contacts if row is not winner and not contact_stays(row)})
    _write(merged)
    return merged


def _write(merged: dict[int, int]) -> None:
    if not merged:
        return
    FollowUp.objects.filter(pk__in=list(merged), status=Status.PLANNED).update(
        status=Status.SUPPRESSED, suppressed_reason=Reason.MERGED, updated_at=timezone.now()
    )
    followups_set_merged_into(merged)  # they, and what was merged into them, point at their winner
