"""What every producer shares: facts grouped by store-local day, and the grouped rows turned into DailyCounts."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import Q
from django.db.models.functions import TruncDate

from crm.models import Store

from ..models import DailyCount


def _rows(store: Store, metric: str, grouped: Iterable[dict], key: Callable[[dict], str], count: str, amount=None):
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


def _key(*fields: str) -> Callable[[dict], str]:
    """A DailyCount key from grouped columns: ("tier", "status") -> "call:done"."""
    return lambda row: ":".join(str(row[field]) for field in fields)


def _day(store: Store, field: str) -> TruncDate:
    return TruncDate(field, tzinfo=store.tzinfo)


def _between(since: datetime, until: datetime | None, field: str) -> Q:
    """Facts from `since`, and before `until` when given (old days the frequent rebuild takes again)."""
    return Q(**{f"{field}__gte": since}) & (Q(**{f"{field}__lt": until}) if until else Q())
