"""A store's dated closures (a public holiday, the Spring Festival week): whole local days on which no SLA clock runs
and nobody calls (ADR 0035). Recorded on the policy page; each change counts the open cases' deadlines still to come
again, in its transaction (a deadline already passed stays, ADR 0029), is audited, and is told to the other apps
(`crm.signals.store_closures_changed`: callbacks moves the calls planned on the closed days)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.errors import InvalidInput, InvalidTransition, NotFound
from crm.models import Store, StoreClosure
from crm.signals import store_closures_changed
from crm.timezones import store_today

from .audit import audit_record
from .service_time import closed_days_of
from .sla import cases_deadlines_recount

# Longer is no holiday but a store that stopped trading, and a typo would stop every clock for months.
MAX_CLOSURE_DAYS = 31
# Recorded this far ahead at most: next year's Spring Festival is known, a date in 2099 is a typo.
AHEAD = timedelta(days=2 * 366)
NAME_MAX_LENGTH = StoreClosure._meta.get_field("name").max_length


def _day(day: date) -> str:
    return date_format(day, "Y-m-d")


def closure_check(*, store: Store, name: str, first_day: date, last_day: date, today: date) -> str:
    """The name as it is saved; InvalidInput naming the field for a closure that cannot be: no name, an end before its
    start, longer than MAX_CLOSURE_DAYS, already over, too far ahead, or overlapping another of the store's."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Name the closure (a holiday, the Spring Festival)."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            _("Name the closure in at most %(max)s characters.") % {"max": NAME_MAX_LENGTH}, field="name"
        )
    if last_day < first_day:
        raise InvalidInput(_("A closure ends on or after its first day."), field="last_day")
    if (last_day - first_day).days + 1 > MAX_CLOSURE_DAYS:
        raise InvalidInput(
            _("A closure is at most %(max)s days; record a longer one as several.") % {"max": MAX_CLOSURE_DAYS},
            field="last_day",
        )
    if last_day < today:
        raise InvalidInput(
            _("That closure is already over: record closures still to come or under way."), field="last_day"
        )
    if first_day > today + AHEAD:
        raise InvalidInput(_("Record closures at most two years ahead."), field="first_day")
    other = (
        StoreClosure.objects.filter(store=store, first_day__lte=last_day, last_day__gte=first_day)
        .order_by("first_day")
        .first()
    )
    if other is not None:
        raise InvalidInput(
            _("It overlaps %(name)s (%(first)s to %(last)s): change that one or choose other days.")
            % {"name": other.name, "first": _day(other.first_day), "last": _day(other.last_day)},
            field="first_day",
        )
    return name


def stores_closed_days(*, store_ids: Iterable[int], now: datetime) -> dict[int, frozenset[date]]:
    """{store id: the local dates it is closed on}, for the stores' closures not over by `now` (one query). A day
    before now's UTC date is before every store's local today, so no closure still under way is left out."""
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    rows = StoreClosure.objects.filter(store_id__in=list(store_ids), last_day__gte=now.date() - timedelta(days=1))
    for store_id, first, last in rows.values_list("store_id", "first_day", "last_day"):
        spans[store_id].append((first, last))
    return defaultdict(frozenset, {store_id: closed_days_of(days) for store_id, days in spans.items()})


def store_closure_on(*, store: Store, day: date) -> StoreClosure | None:
    """The store's closure that `day` (a local date) falls in, if any."""
    return StoreClosure.objects.filter(store=store, first_day__lte=day, last_day__gte=day).first()


def _text(closure: StoreClosure) -> dict[str, str]:
    return {"name": closure.name, "first_day": _day(closure.first_day), "last_day": _day(closure.last_day)}


@transaction.atomic
def store_closure_add(*, store: Store, actor, name: str, first_day: date, last_day: date) -> StoreClosure:
    """Record days the store is closed, from `first_day` to `last_day` (both closed, local days). The store's row is
    locked, so two closures recorded at once cannot overlap."""
    store = Store.objects.select_for_update().get(pk=store.pk)
    now = timezone.now()
    name = closure_check(
        store=store, name=name, first_day=first_day, last_day=last_day, today=store_today(store, now=now)
    )
    # In effect from now: a closure starting today (or under way) leaves the hours worked before it worked.
    closure = StoreClosure.objects.create(
        store=store, name=name, first_day=first_day, last_day=last_day, recorded_at=now
    )
    cases_deadlines_recount(store=store, now=now)
    audit_record(actor=actor, action="store_closure_added", store=store, target=store.code, data=_text(closure))
    store_closures_changed.send(sender=Store, store=store, now=now)
    return closure


@transaction.atomic
def store_closure_remove(*, store: Store, actor, closure_id: int) -> None:
    """The store opens on those days after all. One under way may go (the store opens again early); one already over
    stays on record: deadlines were counted, and cases escalated, by it."""
    store = Store.objects.select_for_update().get(pk=store.pk)
    closure = StoreClosure.objects.filter(store=store, pk=closure_id).first()
    if closure is None:
        raise NotFound(_("The store has no such closure."), field="closure")
    now = timezone.now()
    if closure.last_day < store_today(store, now=now):
        raise InvalidTransition(_("That closure is already over; it stays on record."), field="closure")
    data = _text(closure)
    closure.delete()
    cases_deadlines_recount(store=store, now=now)
    audit_record(actor=actor, action="store_closure_removed", store=store, target=store.code, data=data)
    store_closures_changed.send(sender=Store, store=store, now=now)
