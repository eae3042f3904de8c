"""Steps 3 and 4: one care contact per customer per delivery day, and per store day on which it is made (ADR 0051)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from callbacks.models import CHANNEL_RANK, LIVE_STATUSES, FollowUp
from crm.models import Store
from crm.timezones import store_local_datetime, to_store_local

from ..one_a_day import care_contacts_locked, contact_stays
from .plans import Plan

Status, Reason = FollowUp.Status, FollowUp.SuppressedReason


def _join(groups: dict[tuple, list[Plan]], existing: dict[tuple, FollowUp]) -> list[Plan]:
    """One contact per group (a customer's plans that share a day) with the contact already planned on that day, if
    any: the highest tier wins, a contact that stays as it is (under way, a call back, a retry) is never replaced; the
    others are `merged` into it. Returns the plans that stay. An existing contact one of them replaces is suppressed at
    once: the database allows one live contact per customer and delivery day, and an evening's capacity is counted
    from the rows."""
    stay, replaced = [], []
    for key, group in groups.items():
        group.sort(key=lambda p: p.rank, reverse=True)
        best, current = group[0], existing.get(key)
        if current is not None and (
            contact_stays(current) or CHANNEL_RANK[current.channel] >= CHANNEL_RANK[best.channel]
        ):
            for plan in group:
                plan.merge(into=current)
            continue
        if current is not None:
            best.replaces.append(current.pk)
            replaced.append(current.pk)
        for plan in group[1:]:
            plan.merge(into=best)
        stay.append(best)
    if replaced:
        FollowUp.objects.filter(id__any_of=replaced).update(
            status=Status.SUPPRESSED, suppressed_reason=Reason.MERGED, updated_at=timezone.now()
        )
    return stay


def _care_contacts(rows: QuerySet[FollowUp], key) -> dict[tuple, FollowUp]:
    """{key(row): row} of the care contacts among `rows` that were not suppressed (a call made, or an SMS that failed,
    is that day's contact too), locked; of two on one key (a closed call may have a live SMS fallback) the live one."""
    found: dict[tuple, FollowUp] = {}
    for row in care_contacts_locked(rows):
        k = key(row)
        if k not in found or row.status in LIVE_STATUSES:
            found[k] = row
    return found


def by_delivery_day(plans: list[Plan]) -> list[Plan]:
    """Step 3: one contact per customer and delivery day (`contact_day`). Returns the plans that stay."""
    groups: dict[tuple, list[Plan]] = defaultdict(list)
    for plan in plans:
        if not plan.reason:
            groups[(plan.customer.id, plan.contact_day)].append(plan)
    if not groups:
        return []
    rows = FollowUp.objects.filter(
        customer_id__any_of={c for c, _ in groups}, contact_day__any_of={d for _, d in groups}
    )
    return _join(groups, _care_contacts(rows, lambda row: (row.customer_id, row.contact_day)))


def by_day_made(plans: list[Plan], *, window_of) -> list[Plan]:
    """Steps 4 and 6: one contact per customer and store-local day on which it is made, its window's day (a call's
    evening, a care SMS's sending day: neither window spans midnight), counting the contacts already planned on that
    day, whatever day they were delivered on. Returns the plans that stay, in their order."""
    days: dict[tuple[str, datetime], date] = {}  # a batch's windows start at a handful of instants
    bounds: dict[tuple[str, date], tuple[datetime, datetime]] = {}
    groups: dict[tuple, list[Plan]] = defaultdict(list)
    stores: dict[int, Store] = {}
    for plan in plans:
        start, zone = window_of(plan)[0], plan.store.timezone
        day = days.get((zone, start))
        if day is None:
            day = days[(zone, start)] = to_store_local(start, plan.store).date()
            if (zone, day) not in bounds:
                bounds[(zone, day)] = (
                    store_local_datetime(plan.store, day, time(0)),
                    store_local_datetime(plan.store, day + timedelta(days=1), time(0)),
                )
        groups[(plan.customer.id, day)].append(plan)
        stores[plan.customer.id] = plan.store
    if not groups:
        return []
    rows = FollowUp.objects.filter(
        customer_id__any_of=stores.keys(),
        window_start__gte=min(b[0] for b in bounds.values()),
        window_start__lt=max(b[1] for b in bounds.values()),
    )
    existing = _care_contacts(
        rows, lambda row: (row.customer_id, to_store_local(row.window_start, stores[row.customer_id]).date())
    )
    stay = {id(plan) for plan in _join(groups, existing)}
    return [plan for plan in plans if id(plan) in stay]
