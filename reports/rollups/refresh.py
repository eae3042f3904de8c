"""The rebuild: every producer from a day on, the late figures of older days (`LATE_FIGURES`), the month rows; and
its two entry points, the frequent refresh of recent days and the nightly one of the whole history (ADR 0005)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.models import Case, CaseEvent, Remedy, Store
from crm.timezones import store_day_bounds, store_today
from reviews.models import Review, ReviewRevision

from ..models import DailyCount, RollupRun, RollupStaleDay
from .cases import CASE_OPENING_METRICS, REMEDY_METRICS, case_counts, remedy_counts, root_cause_counts
from .followups import DELIVERY_METRICS, delivery_counts, followup_counts
from .letters import LETTER_METRICS, letter_counts
from .logistics import parcel_delay_counts
from .reviews import REVIEW_METRICS, review_counts
from .rows import local_days

# What the frequent refresh rebuilds; the nightly one rebuilds everything.
RECENT_DAYS = 35


PRODUCERS = (
    review_counts,
    case_counts,
    root_cause_counts,
    followup_counts,
    delivery_counts,
    remedy_counts,
    letter_counts,
    parcel_delay_counts,
)


@transaction.atomic
def rollups_refresh(*, store: Store, since_day: date | None = None) -> int:
    """Rebuild the store's roll-ups from `since_day` (the whole history when None). Before that day, the figures of
    each day that a case changed since the last rebuild moved are rebuilt too, and those figures alone
    (`LATE_FIGURES`, ADR 0005); so are those of each day a review revised since then was posted on, and those of each
    day marked by an admin's delete (`RollupStaleDay`: the marks read are taken). Returns the rows written."""
    store = Store.objects.select_for_update().get(pk=store.pk)  # one rebuild of a store at a time
    last = RollupRun.objects.filter(store=store).values_list("refreshed_at", flat=True).first() if since_day else None
    since_day = since_day or date(2000, 1, 1)
    since = store_day_bounds(store, since_day)[0]
    rows = [row for producer in PRODUCERS for row in producer(store, since)]
    DailyCount.objects.filter(store=store, month=False, day__gte=since_day).delete()
    DailyCount.objects.bulk_create(rows, batch_size=5_000)
    months = Q(day__gte=since_day.replace(day=1))
    changed = _changes(store, last - CHANGE_MARGIN) if last is not None else Changes()
    # Days an admin's delete marked: read once, taken below (a mark written meanwhile stays for the next rebuild).
    marks = list(RollupStaleDay.objects.filter(store=store).values_list("pk", "figures", "day"))
    for figures in LATE_FIGURES:
        days = set(figures.days(store, changed, since)) if changed else set()
        days |= {day for _pk, name, day in marks if name == figures.name and day < since_day}
        for first, final in _runs(sorted(days)):
            rows += _days_rebuild(store, figures, first, final)
            months |= Q(day__gte=first.replace(day=1), day__lt=_next_month(final))
    _months_rebuild(store, months)
    RollupStaleDay.objects.filter(pk__in=[pk for pk, _name, local_day in marks]).delete()
    RollupRun.objects.update_or_create(store=store, defaults={"refreshed_at": timezone.now(), "since": since_day})
    return len(rows)


def rollups_refresh_recent(*, store: Store) -> int:
    return rollups_refresh(store=store, since_day=store_today(store) - timedelta(days=RECENT_DAYS))


def _months_rebuild(store: Store, days: Q) -> None:
    """The month rows of the whole months `days` spans, as sums of the day rows now stored: a month rebuilt from its
    middle, or on one day of it, stays whole."""
    DailyCount.objects.filter(days, store=store, month=True).delete()
    months = (
        DailyCount.objects.filter(days, store=store, month=False)
        .annotate(first=TruncMonth("day"))
        .values("metric", "key", "first")
        .annotate(n=Sum("count"), total=Sum("amount"))
        .order_by()
    )
    DailyCount.objects.bulk_create(
        (
            DailyCount(
                store=store,
                month=True,
                day=m["first"],
                metric=m["metric"],
                key=m["key"],
                count=m["n"],
                amount=m["total"],
            )
            for m in months
        ),
        batch_size=5_000,
    )


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


# A change written in a transaction that committed just after the last rebuild had read the facts is still seen.
CHANGE_MARGIN = timedelta(minutes=10)


@dataclass(frozen=True)
class Changes:
    """What changed since the last rebuild: the cases with an event on their timeline, and the reviews with a revision
    (a new rating or an appended text), which a review with no case has instead of a case event."""

    cases: tuple[int, ...] = ()
    reviews: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cases or self.reviews)


def _changes(store: Store, changed_since: datetime) -> Changes:
    return Changes(
        cases=tuple(_changed_cases(store, changed_since)), reviews=tuple(_revised_reviews(store, changed_since))
    )


def _revised_reviews(store: Store, changed_since: datetime) -> list[int]:
    """The ids of the store's reviews revised since the last rebuild: intake writes a revision for each new rating or
    appended text, the review's own record of a change (its sentiment, counted on its day, moves with its rating).
    Found through the revisions' index on their time, as the case events are."""
    return list(
        ReviewRevision.objects.filter(at__gte=changed_since, review__store=store)
        .values_list("review", flat=True)
        .order_by()
        .distinct()
    )


def _changed_cases(store: Store, changed_since: datetime) -> list[int]:
    """The ids of the store's cases changed since the last rebuild: those with an event on their timeline since (every
    change the late figures read writes one: a close, a reopening, a handover, an escalation or a breach, a call or an
    SMS, a remedy proposed or decided, carried out, confirmed or withdrawn, the end of a wait on the customer). Found
    through the events' index on their time: a range of the last minutes. A list, not a subquery: each day look-up
    then reads its facts by these cases' ids (through their case's index), where the planner, guessing at the
    subquery's size, may scan every store's closes."""
    return list(
        CaseEvent.objects.filter(at__gte=changed_since, case__store=store)
        .values_list("case", flat=True)
        .order_by()
        .distinct()
    )


def _days_of(facts: QuerySet, store: Store, field: str, before: datetime) -> list[date]:
    """The store-local days, before `before`, of `field` of `facts`."""
    return local_days(facts.filter(**{f"{field}__lt": before}), store, field)


@dataclass(frozen=True)
class LateFigures:
    """Figures counted on a day that a change long after it can move: the producer that rebuilds them for a range of
    days, the metrics it writes, and the days before `before` that the changes since the last rebuild moved. Its
    `name` is what an admin's delete marks a day with (`RollupStaleDay`, reports.rollups.deletions)."""

    name: str
    rebuild: Callable[[Store, datetime, datetime], list[DailyCount]]
    metrics: tuple[str, ...]
    days: Callable[[Store, Changes, datetime], list[date]]


LATE_FIGURES = (
    # A case is counted on the day it was opened, however long ago: the agent who closes a two-month-old case sees it
    # in their figures at the next frequent rebuild, not the next night.
    LateFigures(
        "cases",
        case_counts,
        CASE_OPENING_METRICS,
        lambda store, changed, before: _days_of(Case.objects.filter(pk__in=changed.cases), store, "opened_at", before),
    ),
    # A close is counted on its day: a reopening takes it off the day of each earlier close (the Pareto).
    LateFigures(
        "root_causes",
        root_cause_counts,
        ("root_cause",),
        lambda store, changed, before: _days_of(
            CaseEvent.objects.filter(case__in=changed.cases, kind=CaseEvent.Kind.CLOSED), store, "at", before
        ),
    ),
    # A review is counted on the day it was posted: the first call of its case, weeks later, makes it contacted; a
    # new rating, with a case or without one, moves it to another sentiment.
    LateFigures(
        "reviews",
        review_counts,
        REVIEW_METRICS,
        lambda store, changed, before: _days_of(
            Review.objects.filter(Q(case__in=changed.cases) | Q(pk__in=changed.reviews), store=store),
            store,
            "posted_at",
            before,
        ),
    ),
    # A remedy is counted on the day it was proposed, in the state it is in now: approved, declined, carried out.
    LateFigures(
        "remedies",
        remedy_counts,
        REMEDY_METRICS,
        lambda store, changed, before: _days_of(
            Remedy.objects.filter(case__in=changed.cases), store, "proposed_at", before
        ),
    ),
    # A delivery is counted on its day (with no follow-up, or how soon it was first contacted), and an order the
    # letter rule chose on the day it chose it: no change to an order moves these, but its delete in the admin does
    # (those days are marked, reports.rollups.deletions).
    LateFigures("deliveries", delivery_counts, DELIVERY_METRICS, lambda store, changed, before: []),
    LateFigures("letters", letter_counts, LETTER_METRICS, lambda store, changed, before: []),
)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as (first, last) runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _days_rebuild(store: Store, figures: LateFigures, first: date, final: date) -> list[DailyCount]:
    """`figures` of the days from `first` to `final`, rebuilt; the other figures of those days are left as they are."""
    rows = figures.rebuild(store, store_day_bounds(store, first)[0], store_day_bounds(store, final)[1])
    DailyCount.objects.filter(
        store=store, month=False, day__gte=first, day__lte=final, metric__in=figures.metrics
    ).delete()
    DailyCount.objects.bulk_create(rows, batch_size=5_000)
    return rows
