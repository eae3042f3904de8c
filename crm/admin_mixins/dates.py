"""Date ranges on the admin's lists of big tables, each read in an index that holds the date (ADR 0033).

Django's ranges (today, the past 7 days, this month, this year) over a list sorted newest first by its primary key
let PostgreSQL read the key's index backwards and filter each row by the date: the ids grow with the time, so a month
a year back was found only after every newer row was read (300 ms at 400,000 orders, a store chosen or not). A range
therefore sorts the list by its date, newest first, and is read where an index holds that date:

- `DateRangeFilter`: the date leads an index of its own (the audit log's `at`).
- `StoreDateRangeFilter`: the date's index leads with the store (`(store, placed_at)` and the like): the range is
  offered once a store is chosen (or when there is one store), and a range without one (a crafted address) is
  refused as Django refuses a lookup it cannot take, not read over every store. `StoreFilter`: choosing every store
  again drops the range.
- `KeyRangeByTimeFilter`: no index holds the date, but it is when the row was written (django-axes' logs of logins:
  `auto_now_add`, never changed, and no index of ours on a table axes' migrations own), so the keys grow with it: a
  range of times is the range of keys written in it, each end found by bisection over the primary key's index.
"""

from datetime import datetime

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from crm.models import Store

STORE_PARAMETER = "store__id__exact"


class DateRangeFilter(admin.DateFieldListFilter):
    pass


class StoreDateRangeFilter(DateRangeFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        # The store chosen, or the only one there is (a one-store system has no store filter to choose it with).
        chosen = request.GET.get(STORE_PARAMETER)
        self.store_chosen = bool(chosen)
        self.store_id = chosen or _only_store()
        super().__init__(field, request, params, model, model_admin, field_path)

    def has_output(self) -> bool:
        # Shown (and applied, which refuses it) when a range came without a store: Django drops an unshown filter.
        return (self.store_id is not None or bool(self.date_params)) and super().has_output()

    def queryset(self, request, queryset):
        if self.date_params and self.store_id is None:
            raise IncorrectLookupParameters(f"{self.field_path}: a date range is read within a store")
        queryset = super().queryset(request, queryset)
        return queryset.filter(store_id=self.store_id) if self.date_params and not self.store_chosen else queryset


def _only_store() -> int | None:
    stores = list(Store.objects.values_list("pk", flat=True)[:2])
    return stores[0] if len(stores) == 1 else None


class StoreFilter(admin.RelatedFieldListFilter):
    """The store; choosing every store again ("All") drops a date range that needs one (StoreDateRangeFilter)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.model_admin = model_admin
        super().__init__(field, request, params, model, model_admin, field_path)

    def choices(self, changelist):
        choices = super().choices(changelist)
        every_store = next(choices)
        ranges = [
            f"{path}__" for path, kind in dated_filters(self.model_admin) if issubclass(kind, StoreDateRangeFilter)
        ]
        remove = [self.lookup_kwarg, self.lookup_kwarg_isnull, *ranges]
        yield {**every_store, "query_string": changelist.get_query_string(remove=remove)}
        yield from choices


def dated_filters(model_admin) -> list[tuple[str, type[DateRangeFilter]]]:
    """The (field, filter) pairs of the admin's date ranges."""
    specs = [spec for spec in model_admin.list_filter if isinstance(spec, tuple) and isinstance(spec[1], type)]
    return [spec for spec in specs if issubclass(spec[1], DateRangeFilter)]


def date_range_ordering(model_admin, request) -> tuple[str, ...] | None:
    """Newest first by the date a range is applied to, so the index holding it answers the range and the order."""
    for path, _kind in dated_filters(model_admin):
        if any(name.startswith(f"{path}__") for name in request.GET):
            return (f"-{path}", "-pk")
    return None


class KeyRangeByTimeFilter(admin.DateFieldListFilter):
    """Django's ranges of a time that grows with the primary key, read as a range of keys (`pk >= a AND pk < b`), not
    over the unindexed time: a sequential scan of every login kept, oldest first, for the paginator's bounded count. A
    row written in the same instant as another may land on the other side of a range's end; nothing more."""

    def queryset(self, request, queryset):
        ends = {"gte": "pk__gte", "lt": "pk__lt"}
        keys = {}
        for name, value in self.date_params.items():
            lookup = name.removeprefix(self.field_generic)
            if lookup not in ends:
                continue  # not this filter's (Django's ChangeList takes or refuses it)
            try:
                moment = self.field.to_python(value)
            except ValidationError as error:
                raise IncorrectLookupParameters(error) from error
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            keys[ends[lookup]] = first_key_at(queryset.model, self.field_path, moment)
        return queryset.filter(**keys)


def first_key_at(model: type[models.Model], field: str, moment: datetime) -> int:
    """The first key of `model` whose `field` is at `moment` or later (past the last key when none is), where the keys
    grow with `field`: a bisection over the primary key's index, two probes and one a halving (about 25 at 10 million
    rows), each reading one row."""
    rows = model._default_manager.order_by("pk").values_list("pk", field)
    first, last = rows.first(), rows.last()
    if first is None:
        return 0
    # `pk >= x` keeps what `pk >= (the first key at or after x)` keeps: the answer is between those of `low` and `high`.
    low, high = first[0], last[0] + 1
    while low < high:
        middle = (low + high) // 2
        key, at = rows.filter(pk__gte=middle).first()  # a row exists: middle < high <= the last key + 1
        if at >= moment:
            high = middle
        else:
            low = key + 1
    return low
