"""What every report section is: a period of one store, and a table the page, the chart and the CSV share."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DateField, Q, Sum
from django.db.models.functions import Trunc

from crm.models import Store

from ..models import DailyCount
from .colours import FALLBACK, series_colour

# Up to this many days a chart shows days; beyond it weeks.
DAILY_UP_TO_DAYS = 62


@dataclass(frozen=True)
class Period:
    """One store's local days from `start` to `end` inclusive (roll-ups are kept by store-local day)."""

    store: Store
    start: date
    end: date
    # The period's roll-up sums, read once for all sections (see `sums`).
    _sums: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def bucket(self) -> str:
        return "day" if (self.end - self.start).days < DAILY_UP_TO_DAYS else "week"


Sums = dict[tuple[str, str], tuple[int, Decimal]]


def _months_and_days(period: Period) -> Q:
    """The whole calendar months inside the period as month rows, and the days outside them as day rows."""
    first_whole = period.start if period.start.day == 1 else _next_month(period.start)
    after_whole = _next_month(period.end) if _next_month(period.end) - timedelta(days=1) == period.end else None
    after_whole = after_whole or period.end.replace(day=1)
    if first_whole >= after_whole:
        return Q(month=False, day__gte=period.start, day__lte=period.end)
    return Q(month=True, day__gte=first_whole, day__lt=after_whole) | Q(
        Q(day__gte=period.start, day__lt=first_whole) | Q(day__gte=after_whole, day__lte=period.end), month=False
    )


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def sums(period: Period, *metrics: str) -> Sums:
    """{(metric, key): (count, amount)} summed over the period. The first call reads every metric in one
    GROUP BY over the roll-ups; the report's other sections reuse it."""
    if not period._sums:
        rows = (
            DailyCount.objects.filter(_months_and_days(period), store=period.store)
            .values("metric", "key")
            .annotate(count=Sum("count"), amount=Sum("amount"))
            .order_by()
        )
        period._sums.update({(r["metric"], r["key"]): (r["count"], r["amount"]) for r in rows})
    return {pair: value for pair, value in period._sums.items() if pair[0] in metrics}


def sums_by_bucket(period: Period, metric: str) -> list[dict[str, Any]]:
    """[{"bucket": date, "key": ..., "count": n}] per day or week of the period, in order. A bucket is named by the
    first day it counts: a week the period starts in the middle of is named by the period's first day."""
    rows = list(
        DailyCount.objects.filter(
            store=period.store, month=False, day__gte=period.start, day__lte=period.end, metric=metric
        )
        .annotate(bucket=Trunc("day", period.bucket, output_field=DateField()))
        .values("bucket", "key")
        .annotate(count=Sum("count"))
        .order_by("bucket", "key")
    )
    for row in rows:
        row["bucket"] = max(row["bucket"], period.start)
    return rows


def keys(found: Sums, metric: str) -> list[str]:
    return sorted({key for m, key in found if m == metric})


def count(found: Sums, metric: str, key: str) -> int:
    return found.get((metric, key), (0, Decimal("0")))[0]


def amount(found: Sums, metric: str, key: str) -> Decimal:
    return found.get((metric, key), (0, Decimal("0")))[1]


@dataclass(frozen=True)
class Chart:
    """How to draw a table: a Chart.js type, the column that labels the x axis, the columns that are series."""

    kind: str  # "bar" | "line" | "doughnut"
    label_column: str
    series: tuple[str, ...]
    # Series drawn as a line on a second (percent) axis over bars.
    line_series: tuple[str, ...] = ()
    stacked: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    def cells(self) -> list[list[Any]]:
        return [[row.get(key, "") for key, _ in self.columns] for row in self.rows]

    def chart_data(self) -> dict[str, Any] | None:
        if self.chart is None or not self.rows:
            return None
        headings = dict(self.columns)
        return {
            "kind": self.chart.kind,
            "palette": list(FALLBACK),
            "stacked": self.chart.stacked,
            "labels": [str(row[self.chart.label_column]) for row in self.rows],
            "series": [
                {
                    "label": str(headings[key]),
                    "data": [_number(row.get(key)) for row in self.rows],
                    "line": key in self.chart.line_series,
                    "colour": series_colour(key),
                }
                for key in (*self.chart.series, *self.chart.line_series)
            ],
        }


def _number(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def percent(part: int | None, whole: int | None) -> float | None:
    """A share in percent with one decimal, or None when there is nothing to share."""
    return round(100.0 * (part or 0) / whole, 1) if whole else None
