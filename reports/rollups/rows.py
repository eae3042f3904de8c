"""What every producer shares: facts grouped by store-local day, and the grouped rows turned into DailyCounts."""

from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate

from crm.models import Store

from ..models import DailyCount


def daily_counts(
    store: Store, metric: str, grouped: Iterable[dict], key: Callable[[dict], str], count: str, amount=None
) -> list[DailyCount]:
    """One DailyCount of `metric` per grouped row (its `day`, its key by `key`, its `count` and `amount` columns),
    leaving out rows with nothing to count."""
    return [
        DailyCount(
            store=store,
            day=row["day"],
            metric=metric,
            key=key(row),
            count=row[count] or 0,
            amount=(row[amount] or 0) if amount else 0,
        )
        for row in grouped
        if row[count] or (amount and row[amount])
    ]


def key_of(*fields: str) -> Callable[[dict], str]:
    """A DailyCount key from grouped columns: ("tier", "status") -> "call:done"."""
    return lambda row: ":".join(str(row[field]) for field in fields)


def local_day(store: Store, field: str) -> TruncDate:
    return TruncDate(field, tzinfo=store.tzinfo)


def within(since: datetime, until: datetime | None, field: str) -> Q:
    """Facts from `since`, and before `until` when given (old days the frequent rebuild takes again)."""
    return Q(**{f"{field}__gte": since}) & (Q(**{f"{field}__lt": until}) if until else Q())


def local_days(facts: QuerySet, store: Store, field: str) -> list[date]:
    """The distinct store-local days of `field` of `facts`."""
    return list(facts.annotate(day=local_day(store, field)).values_list("day", flat=True).order_by().distinct())
