"""A store's dated closures (a public holiday, the Spring Festival week): whole local days on which no SLA clock runs
and nobody calls (ADR 0035). Recorded on the policy page; each change counts the open cases' deadlines still to come
again, in its transaction (a deadline already passed stays, ADR 0029), is audited, and is told to the other apps
(`crm.signals.store_closures_changed`: callbacks moves the calls planned on the closed days).

What happened stays true: a closure is in effect from the moment it is recorded, and one removed while under way (the
store opens again early) is not deleted but ended at that moment (`ended_at`, `ended_by`): the days and hours it
closed were closed, deadlines were counted by them, and counting them open now would move deadlines into the past."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.errors import InvalidInput, InvalidTransition, NotFound
from crm.models import Store, StoreClosure
from crm.signals import store_closure_would_withdraw, store_closures_changed
from crm.timezones import store_today, to_store_local
from crm.withdrawals import withdrawals_answered, withdrawals_check

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


def _moment(store: Store, moment: datetime) -> str:
    return date_format(to_store_local(moment, store), "Y-m-d H:i")


def closure_closed_through(closure: StoreClosure, *, store: Store) -> date:
    """The last local day the closure closes whole: its last day, or for one ended early the day before the day it
    was ended (that day was closed only until then; the store was open from then on)."""
    if closure.ended_at is None:
        return closure.last_day
    return min(closure.last_day, to_store_local(closure.ended_at, store).date() - timedelta(days=1))


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
    # One ended early holds its days up to the day it was ended: a closure may begin that day again (it takes
    # effect when recorded, after the end), not on a day the other closed.
    candidates = StoreClosure.objects.filter(store=store, first_day__lte=last_day, last_day__gte=first_day)
    for other in candidates.order_by("first_day"):
        if closure_closed_through(other, store=store) < first_day:
            continue
        if other.ended_at is not None:
            raise InvalidInput(
                _(
                    "It overlaps %(name)s, closed from %(first)s until it was ended early at %(ended)s: choose days "
                    "from %(day)s on."
                )
                % {
                    "name": other.name,
                    "first": _day(other.first_day),
                    "ended": _moment(store, other.ended_at),
                    "day": _day(to_store_local(other.ended_at, store).date()),
                },
                field="first_day",
            )
        raise InvalidInput(
            _("It overlaps %(name)s (%(first)s to %(last)s): change that one or choose other days.")
            % {"name": other.name, "first": _day(other.first_day), "last": _day(other.last_day)},
            field="first_day",
        )
    return name


def stores_closed_days(
    *, store_ids: Iterable[int], now: datetime, unsaved: dict[int, Store] | None = None
) -> dict[int, frozenset[date]]:
    """{store id: the local dates it is closed on}, for the stores' closures not over by `now` (one query). A day
    before now's UTC date is before every store's local today, so no closure still under way is left out. One ended
    early closed the days before the day it was ended; that day and the rest are open (its evening is called).
    `unsaved`: {store id: the store in a zone not saved yet} (a zone change asking first, ADR 0046), read in that zone;
    the others as stored."""
    unsaved = unsaved or {}
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    rows = StoreClosure.objects.filter(
        store_id__in=list(store_ids), last_day__gte=now.date() - timedelta(days=1)
    ).select_related("store")
    for closure in rows:
        store = unsaved.get(closure.store_id, closure.store)
        spans[closure.store_id].append((closure.first_day, closure_closed_through(closure, store=store)))
    return defaultdict(frozenset, {store_id: closed_days_of(days) for store_id, days in spans.items()})


def store_closure_on(*, store: Store, day: date) -> StoreClosure | None:
    """The store's closure that `day` (a local date) falls in, if any (not one ended early before that day)."""
    candidates = StoreClosure.objects.filter(store=store, first_day__lte=day, last_day__gte=day)
    return next((c for c in candidates if closure_closed_through(c, store=store) >= day), None)


def _text(closure: StoreClosure) -> dict[str, str]:
    return {"name": closure.name, "first_day": _day(closure.first_day), "last_day": _day(closure.last_day)}


def store_closure_withdrawals_check(
    *, store: Store, first_day: date, last_day: date, now: datetime, confirmed: int | None
) -> int:
    """Raise WithdrawalsNotConfirmed unless the manager confirmed at least as many campaign contacts as recording a
    closure of these days would withdraw (return visits it moves past their campaign's end), as the apps answer
    `store_closure_would_withdraw`; nothing is changed by asking (ADR 0046). Returns how many it withdraws."""
    answers = store_closure_would_withdraw.send(
        sender=Store, store=store, first_day=first_day, last_day=last_day, now=now
    )
    return withdrawals_check(withdrawn=withdrawals_answered(answers), confirmed=confirmed)


@transaction.atomic
def store_closure_add(
    *,
    store: Store,
    actor,
    name: str,
    first_day: date,
    last_day: date,
    withdrawals_confirmed: int | None = None,
) -> StoreClosure:
    """Record days the store is closed, from `first_day` to `last_day` (both closed, local days). The store's row is
    locked, so two closures recorded at once cannot overlap. A closure that would withdraw campaign contacts (return
    visits it moves past their campaign's end, ADR 0035) is recorded only when the manager confirmed at least that many
    (`withdrawals_confirmed`, the number the form showed); else WithdrawalsNotConfirmed names the campaigns and nothing
    is recorded (ADR 0046)."""
    store = Store.objects.select_for_update().get(pk=store.pk)
    now = timezone.now()
    name = closure_check(
        store=store, name=name, first_day=first_day, last_day=last_day, today=store_today(store, now=now)
    )
    withdrawn = store_closure_withdrawals_check(
        store=store, first_day=first_day, last_day=last_day, now=now, confirmed=withdrawals_confirmed
    )
    # In effect from now: a closure starting today (or under way) leaves the hours worked before it worked.
    closure = StoreClosure.objects.create(
        store=store, name=name, first_day=first_day, last_day=last_day, recorded_at=now
    )
    cases_deadlines_recount(store=store, now=now)
    data = _text(closure)
    if withdrawn:
        data["campaign_contacts_withdrawn"] = withdrawn
    audit_record(actor=actor, action="store_closure_added", store=store, target=store.code, data=data)
    store_closures_changed.send(sender=Store, store=store, now=now)
    return closure


@transaction.atomic
def store_closure_remove(*, store: Store, actor, closure_id: int) -> StoreClosure | None:
    """The store opens on those days after all. One still to come (its first day not begun) is deleted: it closed
    nothing. One under way (the store opens again early) is ended now and kept, by `actor` (returned): the days and
    hours it closed were closed, and the open cases' deadlines still to come are counted with them closed and the
    rest of it open, so none moves back into the past. One already over, or ended already, stays as it was:
    deadlines were counted, and cases escalated, by it."""
    store = Store.objects.select_for_update().get(pk=store.pk)
    closure = StoreClosure.objects.filter(store=store, pk=closure_id).first()
    if closure is None:
        raise NotFound(_("The store has no such closure."), field="closure")
    now = timezone.now()
    today = store_today(store, now=now)
    if closure.ended_at is not None:
        raise InvalidTransition(
            _("That closure was ended early at %(ended)s; it stays on record.")
            % {"ended": _moment(store, closure.ended_at)},
            field="closure",
        )
    if closure.last_day < today:
        raise InvalidTransition(_("That closure is already over; it stays on record."), field="closure")
    data = _text(closure)
    if today < closure.first_day:
        closure.delete()
        kept, action = None, "store_closure_removed"
    else:
        closure.ended_at = now
        closure.ended_by = actor if actor is not None and actor.is_authenticated else None
        closure.save(update_fields=["ended_at", "ended_by"])
        kept, action, data["ended_at"] = closure, "store_closure_ended", _moment(store, now)
    cases_deadlines_recount(store=store, now=now)
    audit_record(actor=actor, action=action, store=store, target=store.code, data=data)
    store_closures_changed.send(sender=Store, store=store, now=now)
    return kept
