"""Rebuild a store's daily roll-ups from the facts (reviews, follow-ups, cases, remedies), by SQL aggregation.

Each producer runs one GROUP BY over one fact table, by store-local day (date_trunc in the store's timezone),
and returns the grouped rows as DailyCount objects. The report then sums those, never the facts. A rebuild
replaces a store's rows from a day on in one transaction, so the report sees the old or the new numbers, never
half. The beat schedule rebuilds recent days often (with the figures of older days that cases changed since moved,
`LATE_FIGURES`) and the whole history nightly (reports.tasks, ADR 0005).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from callbacks.models import (
    REACHED_OUTCOMES,
    SENT_UNDELIVERED,
    CallAttempt,
    ClosedUncalled,
    ClosedUnlogged,
    FollowUp,
)
from crm.models import Case, CaseEvent, Order, Remedy, Store
from crm.services.cases import CONTACT_SOURCES, FIRST_RESPONSE_KINDS
from crm.timezones import store_day_bounds, store_today, to_store_local
from letters.models import Letter
from logistics.models import NOTICE_TOLD, ShipmentDelay, ShipmentNotice
from reviews.models import Review, ReviewRevision

from .models import DailyCount, RollupRun

UNHAPPY = (Review.Sentiment.MID, Review.Sentiment.BAD)
# A review this long before a case opened still belongs to the same disappointment.
REVIEW_LOOKBACK = timedelta(days=30)
CALLS = (FollowUp.Channel.CALL, FollowUp.Channel.DEDICATED)
# Delivery-to-first-contact buckets: (key, up to this many hours).
CONTACT_BUCKETS = (("2h", 2), ("12h", 12), ("36h", 36), ("later", None))
# What the frequent refresh rebuilds; the nightly one rebuilds everything.
RECENT_DAYS = 35


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


def _first_contact(case: str = "") -> Coalesce:
    """When we first reached the case's customer: its first call or SMS, or its opening (or joining) by a call.

    Not the case's `first_response_at` alone: reopening clears it, for the SLA clock to start again, and the report
    would take the next call after the reopening for the first contact. Kept as the fallback for a case with no
    timeline. `case` is the path to the case from the rows annotated ("" for cases themselves).
    """
    contacts = (
        CaseEvent.objects.filter(case=OuterRef(f"{case}__pk" if case else "pk"))
        .filter(Q(kind__in=FIRST_RESPONSE_KINDS) | Q(kind__in=OPENINGS, data__source__in=CONTACT_SOURCES))
        .order_by()
        .values("case")
        .annotate(first=Min("at"))
        .values("first")
    )
    return Coalesce(Subquery(contacts), F(f"{case}__first_response_at" if case else "first_response_at"))


# The timeline events that open a case or join a reason to it; their data names the source.
OPENINGS = (CaseEvent.Kind.OPENED, CaseEvent.Kind.NOTE)


def _between(since: datetime, until: datetime | None, field: str) -> Q:
    """Facts from `since`, and before `until` when given (old days the frequent rebuild takes again)."""
    return Q(**{f"{field}__gte": since}) & (Q(**{f"{field}__lt": until}) if until else Q())


# What `_reviews` counts on the day a review was posted.
REVIEW_PARTS = ("contacted", "appended", "changed", "raised", "either")
REVIEW_METRICS = ("review", *(f"review_{part}" for part in REVIEW_PARTS))


def _reviews(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    reviews = Review.objects.filter(_between(since, until, "posted_at"), store=store).annotate(
        day=_day(store, "posted_at")
    )
    by_sentiment = reviews.values("day", "sentiment").annotate(n=Count("id")).order_by()
    revisions = ReviewRevision.objects.filter(review=OuterRef("pk"), after_contact=True)
    after_contact = (
        reviews.annotate(contacted_at=_first_contact("case"))
        .filter(contacted_at__isnull=False)
        .annotate(
            revised=Exists(revisions),
            # Good now, and a change after our contact took it there from mid or bad.
            raised=Exists(revisions.filter(old_rating__lte=3, new_rating__gte=4)),
        )
        .values("day", "sentiment")
        .annotate(
            contacted=Count("id"),
            appended=Count("id", filter=Q(appended_at__gt=F("contacted_at"))),
            changed=Count("id", filter=Q(revised=True)),
            raised=Count("id", filter=Q(raised=True, sentiment=Review.Sentiment.GOOD)),
            either=Count("id", filter=Q(appended_at__gt=F("contacted_at")) | Q(revised=True)),
        )
        .order_by()
    )
    after = list(after_contact)
    rows = _rows(store, "review", by_sentiment, _key("sentiment"), "n")
    for part in REVIEW_PARTS:
        rows += _rows(store, f"review_{part}", after, _key("sentiment"), part)
    return rows


def _cases(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """The cases opened from `since` (to `until`), by the store-local day they were opened: per source, and per
    agent (`CASE_OPENING_METRICS`)."""
    # Mid or bad now, or when first seen: a review the customer raised to good after our call was still written
    # before it.
    vented_first = Review.objects.filter(
        Q(sentiment__in=UNHAPPY) | Q(original_rating__lte=3),
        customer=OuterRef("customer"),
        posted_at__gte=OuterRef("opened_at") - REVIEW_LOOKBACK,
        posted_at__lt=OuterRef("contacted_at"),
    )
    opened = list(
        Case.objects.filter(_between(since, until, "opened_at"), store=store)
        .annotate(day=_day(store, "opened_at"), contacted_at=_first_contact())
        .annotate(vented_first=Exists(vented_first))
        .values("day", "source")
        .annotate(
            cases=Count("id"),
            reached=Count("id", filter=Q(contacted_at__isnull=False, vented_first=False)),
        )
        .order_by()
    )
    # From the timeline as well as the stamps: reopening clears `escalated_at` and `breached_at` (new clocks), but a
    # case late or escalated in its first life still was.
    events = CaseEvent.objects.filter(case=OuterRef("pk"))
    ever_escalated = Q(escalated_at__isnull=False) | Q(
        Exists(events.filter(kind__in=(CaseEvent.Kind.ESCALATED, CaseEvent.Kind.NEGOTIATION_FAILED)))
    )
    # The sweep's escalation names the breach; a case escalated before it passed gets a `breached` event instead.
    ever_breached = Q(breached_at__isnull=False) | Q(
        Exists(
            events.filter(Q(kind=CaseEvent.Kind.BREACHED) | Q(kind=CaseEvent.Kind.ESCALATED, data__has_key="breach"))
        )
    )
    per_agent = list(
        Case.objects.filter(_between(since, until, "opened_at"), store=store, assignee__isnull=False)
        .annotate(day=_day(store, "opened_at"), was_escalated=ever_escalated, was_breached=ever_breached)
        .values("day", "assignee")
        .annotate(
            assigned=Count("id"),
            closed=Count("id", filter=Q(status=Case.Status.CLOSED)),
            still_open=Count("id", filter=Q(status__in=Case.OPEN_STATUSES)),
            escalated=Count("id", filter=Q(was_escalated=True)),
            # Found past a deadline by the sweep, escalated by it or by hand before (crm.services.sla).
            breached=Count("id", filter=Q(was_breached=True)),
            # A summed duration, not EXTRACT(epoch): SQLite (the embedded default) cannot extract from one.
            open_time=Sum(
                ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField()),
                filter=Q(status=Case.Status.CLOSED),
            ),
            # The time those cases waited on the customer is theirs, not the team's: it comes off (ADR 0034).
            waited=Sum("customer_waited", filter=Q(status=Case.Status.CLOSED)),
        )
        .order_by()
    )
    # A reopened case's days between a close and its reopening: it was closed, nobody's work.
    sat_closed = _time_closed(store, since, until)
    for row in per_agent:  # aggregated rows, one per agent and day
        off = sat_closed.get((row["day"], row["assignee"]), timedelta(0)) + (row["waited"] or timedelta(0))
        team_time = (row["open_time"] or timedelta(0)) - off
        row["seconds"] = Decimal(team_time.total_seconds())
    source, agent = _key("source"), _key("assignee")
    return [
        *_rows(store, "case_opened", opened, source, "cases"),
        *_rows(store, "case_reached_first", opened, source, "reached"),
        *_rows(store, "agent_assigned", per_agent, agent, "assigned"),
        *_rows(store, "agent_closed", per_agent, agent, "closed", amount="seconds"),
        *_rows(store, "agent_still_open", per_agent, agent, "still_open"),
        *_rows(store, "agent_escalated", per_agent, agent, "escalated"),
        *_rows(store, "agent_breached", per_agent, agent, "breached"),
    ]


# What `_cases` counts on the day a case was opened: what a change to an old case alters on that day.
CASE_OPENING_METRICS = (
    "case_opened",
    "case_reached_first",
    "agent_assigned",
    "agent_closed",
    "agent_still_open",
    "agent_escalated",
    "agent_breached",
)


def _root_causes(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Closed cases by the store-local day they were closed, per root cause (the Pareto)."""
    closed = (
        Case.objects.filter(_between(since, until, "closed_at"), store=store, status=Case.Status.CLOSED)
        .annotate(day=_day(store, "closed_at"))
        .values("day", "root_cause")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _rows(store, "root_cause", closed, _key("root_cause"), "n")


def _time_closed(store: Store, since: datetime, until: datetime | None) -> dict[tuple, timedelta]:
    """{(day, assignee): how long their closed cases opened that day sat closed between a close and a reopening}, from
    the cases' timelines: each reopening less the close before it. Summed as each reopening's time from the opening
    less each earlier close's (the closes before the last one), the same sum with no pairing of events, over the cases
    ever reopened only (found through the reopenings' own index): nothing is read for the others, nearly all. A
    duration, summed as the report's other durations are (SQLite has no EXTRACT from one)."""
    reopened = CaseEvent.objects.filter(
        _between(since, until, "case__opened_at"), kind=CaseEvent.Kind.REOPENED, case__store=store
    ).values("case")
    since_opening = ExpressionWrapper(F("at") - F("case__opened_at"), output_field=DurationField())
    before_opening = ExpressionWrapper(F("case__opened_at") - F("at"), output_field=DurationField())
    rows = (
        CaseEvent.objects.filter(case__in=reopened, case__status=Case.Status.CLOSED, case__assignee__isnull=False)
        .filter(Q(kind=CaseEvent.Kind.REOPENED) | Q(kind=CaseEvent.Kind.CLOSED, at__lt=F("case__closed_at")))
        .annotate(day=_day(store, "case__opened_at"))
        .values("day", "case__assignee")
        .annotate(closed=Sum(DbCase(When(kind=CaseEvent.Kind.REOPENED, then=since_opening), default=before_opening)))
        .order_by()
    )
    return {(row["day"], row["case__assignee"]): row["closed"] or timedelta(0) for row in rows}


# The after-delivery care contacts: call tasks (other purposes) are not a delivery's coverage.
CARE = FollowUp.Purpose.CARE


# A call nobody made in its window is closed (done) as missed (callbacks.services.missed): it counts as its own state,
# neither open nor done, and never as a call an agent made. So does a call made whose outcome nobody logged (closed
# as not logged by the same sweep, ADR 0028): called, but nobody knows with what result.
MISSED = Q(outcome=ClosedUncalled.MISSED)
NOT_LOGGED = Q(outcome=ClosedUnlogged.NOT_LOGGED)
# A care SMS sent that the provider reported it could not deliver (`undelivered`, `failed`) never reached the customer:
# its own state, neither done nor a first contact. One sent with no such report (delivered, read, or no delivery report
# at all, as some carriers give none) is done. A parcel's delay notice likewise told nobody (`_parcel_delays`).
UNDELIVERED = SENT_UNDELIVERED


def _followups(store: Store, since: datetime) -> list[DailyCount]:
    followups = FollowUp.objects.filter(store=store, purpose=CARE, window_start__gte=since).annotate(
        day=_day(store, "window_start")
    )
    state = DbCase(
        When(MISSED, then=Value(ClosedUncalled.MISSED.value)),
        When(NOT_LOGGED, then=Value(ClosedUnlogged.NOT_LOGGED.value)),
        When(UNDELIVERED, then=Value("undelivered")),
        default=F("status"),
    )
    by_state = followups.annotate(state=state).values("day", "tier", "state").annotate(n=Count("id")).order_by()
    suppressed = (
        followups.filter(status=FollowUp.Status.SUPPRESSED)
        .values("day", "tier", "suppressed_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    outcomes = followups.filter(channel__in=CALLS).exclude(outcome="").values("day", "outcome").annotate(n=Count("id"))
    calls = list(
        followups.filter(channel__in=CALLS, assignee__isnull=False)
        .values("day", "assignee")
        .annotate(
            calls=Count("id"),
            done=Count("id", filter=Q(status__in=(FollowUp.Status.DONE, FollowUp.Status.SENT)) & ~MISSED & ~NOT_LOGGED),
            missed=Count("id", filter=MISSED),
            not_logged=Count("id", filter=NOT_LOGGED),
        )
        .order_by()
    )
    return [
        *_rows(store, "followup", by_state, _key("tier", "state"), "n"),
        *_rows(store, "followup_suppressed", suppressed, _key("tier", "suppressed_reason"), "n"),
        *_rows(store, "call_outcome", outcomes.order_by(), _key("outcome"), "n"),
        *_rows(store, "agent_calls", calls, _key("assignee"), "calls"),
        *_rows(store, "agent_calls_done", calls, _key("assignee"), "done"),
        *_rows(store, "agent_calls_missed", calls, _key("assignee"), "missed"),
        *_rows(store, "agent_calls_not_logged", calls, _key("assignee"), "not_logged"),
    ]


def _deliveries(store: Store, since: datetime) -> list[DailyCount]:
    """Deliveries with no follow-up at all, and how long after delivery each tier's first contact came: a care SMS sent
    and not reported undelivered, or the first call attempt that reached the customer."""
    uncovered = (
        Order.objects.filter(store=store, delivered_at__gte=since)
        .exclude(Exists(FollowUp.objects.filter(order=OuterRef("pk"), purpose=CARE)))
        .annotate(day=_day(store, "delivered_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    first_reached_call = (
        CallAttempt.objects.filter(followup=OuterRef("pk"), outcome__in=REACHED_OUTCOMES)
        .order_by()
        .values("followup")
        .annotate(first=Min("at"))
        .values("first")
    )
    sms_reached = DbCase(When(UNDELIVERED, then=Value(None, output_field=DateTimeField())), default=F("sent_at"))
    delay = ExpressionWrapper(
        Coalesce(sms_reached, Subquery(first_reached_call)) - F("order__delivered_at"), output_field=DurationField()
    )
    bucket = DbCase(
        *(When(delay__lte=timedelta(hours=hours), then=Value(key)) for key, hours in CONTACT_BUCKETS if hours),
        default=Value(CONTACT_BUCKETS[-1][0]),
    )
    contacted = (
        FollowUp.objects.filter(store=store, purpose=CARE, order__delivered_at__gte=since)
        .annotate(day=_day(store, "order__delivered_at"), delay=delay)
        .filter(delay__isnull=False)
        .annotate(bucket=bucket)
        .values("day", "tier", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        *_rows(store, "uncovered_delivery", uncovered, _key(), "n"),
        *_rows(store, "first_contact", contacted, _key("tier", "bucket"), "n"),
    ]


# What `_remedies` counts on the day a remedy was proposed.
REMEDY_METRICS = ("remedy", "agent_remedy")


def _remedies(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Per kind and status, and per agent, with their cost: each per currency ("coupon:agreed:EUR"), as costs in
    different currencies are never added up (ADR 0036)."""
    remedies = Remedy.objects.filter(_between(since, until, "proposed_at"), case__store=store).annotate(
        day=_day(store, "proposed_at")
    )
    by_kind = remedies.values("day", "kind", "status", "currency").annotate(n=Count("id"), cost=Sum("cost")).order_by()
    by_agent = (
        remedies.filter(status__in=Remedy.STANDING)
        .values("day", "proposed_by", "currency")
        .annotate(n=Count("id"), cost=Sum("cost"))
    )
    return [
        *_rows(store, "remedy", by_kind, _key("kind", "status", "currency"), "n", amount="cost"),
        *_rows(store, "agent_remedy", by_agent.order_by(), _key("proposed_by", "currency"), "n", amount="cost"),
    ]


def _parcel_delays(store: Store, since: datetime) -> list[DailyCount]:
    """Per rule: delays found, customers told (a notice for that rule that told them, `NOTICE_TOLD`: an SMS sent and not
    reported undelivered, or a call that reached them), told before they first came to us (a case not opened by the
    delay itself), and those whose only notice the provider reported it could not deliver (`UNDELIVERED`: nobody was
    told). Per delayed order, told early, notice not delivered, or not told: the orders, their logistics complaints and
    bad reviews. By the store-local day the (first) delay was found: an order first delayed before `since` is counted
    on that earlier day, which this rebuild leaves as it is."""
    customer_case = (
        Case.objects.filter(order_id=OuterRef("shipment__order_id"))
        .exclude(source=Case.Source.LOGISTICS)
        .order_by("opened_at")
        .values("opened_at")[:1]
    )
    notices = ShipmentNotice.objects.filter(shipment_id=OuterRef("shipment_id"), rule=OuterRef("rule"))
    told = notices.filter(NOTICE_TOLD).order_by("sent_at")
    delays = list(
        ShipmentDelay.objects.filter(store=store, found_at__gte=since)
        .annotate(
            told_at=Subquery(told.values("sent_at")[:1]),
            undelivered=Exists(notices.filter(UNDELIVERED)),
            contacted_at=Subquery(customer_case),
        )
        .values("shipment__order_id", "rule", "found_at", "told_at", "undelivered", "contacted_at")
    )
    order_ids = {d["shipment__order_id"] for d in delays}
    counted_before = set(
        ShipmentDelay.objects.filter(store=store, shipment__order_id__in=order_ids, found_at__lt=since).values_list(
            "shipment__order_id", flat=True
        )
    )
    complaints = set(
        Case.objects.filter(order_id__in=order_ids, cause=Case.Cause.LOGISTICS)
        .exclude(source=Case.Source.LOGISTICS)
        .values_list("order_id", flat=True)
    )
    bad = set(Review.objects.filter(order_id__in=order_ids, rating__lte=2).values_list("order_id", flat=True))
    counts: dict[tuple[date, str, str], int] = {}

    def add(day: date, metric: str, key: str) -> None:
        counts[day, metric, key] = counts.get((day, metric, key), 0) + 1

    # An order's group: told (any of its delays), else notice not delivered (any), else not told.
    rank = {"not_told": 0, "undelivered": 1, "told": 2}
    orders: dict[int, tuple[date, str]] = {}
    for d in delays:
        day = to_store_local(d["found_at"], store).date()
        add(day, "parcel_delay", d["rule"])
        if d["told_at"] is not None:
            group = "told"
            add(day, "parcel_delay_told", d["rule"])
            if d["contacted_at"] is None or d["told_at"] < d["contacted_at"]:
                add(day, "parcel_delay_told_first", d["rule"])
        elif d["undelivered"]:
            group = "undelivered"
            add(day, "parcel_delay_undelivered", d["rule"])
        else:
            group = "not_told"
        first_day, was = orders.get(d["shipment__order_id"], (day, "not_told"))
        orders[d["shipment__order_id"]] = (min(first_day, day), max(was, group, key=rank.__getitem__))
    for order_id, (day, key) in orders.items():
        if order_id in counted_before:
            continue
        add(day, "delayed_order", key)
        if order_id in complaints:
            add(day, "delayed_order_complaint", key)
        if order_id in bad:
            add(day, "delayed_order_bad_review", key)
    return [
        DailyCount(store=store, day=day, metric=metric, key=key, count=n, amount=0)
        for (day, metric, key), n in counts.items()
    ]


def _letters(store: Store, since: datetime) -> list[DailyCount]:
    """Orders the letter rule chose, by the day it chose them and whether they got a letter or were held back
    (the control group), with how many of them have a review, a mid one, a bad one (letters.selection)."""
    review = Review.objects.filter(order=OuterRef("order"))
    # By the day the letter keeps, not its creation time in the store's zone now: a store that moved zone (Urumqi and
    # Beijing time) has letters whose day is not their creation's local day there, which the rebuild would otherwise
    # count again on a day it keeps, or leave out of a day it rebuilds.
    grouped = (
        Letter.objects.filter(store=store, day__gte=to_store_local(since, store).date())
        .annotate(  # Letter.day is already the store-local day the rule chose the order
            reviewed=Exists(review),
            mid=Exists(review.filter(sentiment=Review.Sentiment.MID)),
            bad=Exists(review.filter(sentiment=Review.Sentiment.BAD)),
        )
        .values("day", "status")
        .annotate(
            orders=Count("id"),
            n_reviewed=Count("id", filter=Q(reviewed=True)),
            n_mid=Count("id", filter=Q(mid=True)),
            n_bad=Count("id", filter=Q(bad=True)),
        )
        .order_by()
    )
    grouped = list(grouped)
    return [
        row
        for metric, column in (("orders", "orders"), ("reviewed", "n_reviewed"), ("mid", "n_mid"), ("bad", "n_bad"))
        for row in _rows(store, f"letter_{metric}", grouped, _key("status"), column)
    ]


PRODUCERS = (_reviews, _cases, _root_causes, _followups, _deliveries, _remedies, _letters, _parcel_delays)


@transaction.atomic
def rollups_refresh(*, store: Store, since_day: date | None = None) -> int:
    """Rebuild the store's roll-ups from `since_day` (the whole history when None). Before that day, the figures of
    each day that a case changed since the last rebuild moved are rebuilt too, and those figures alone
    (`LATE_FIGURES`, ADR 0005). Returns the rows written."""
    store = Store.objects.select_for_update().get(pk=store.pk)  # one rebuild of a store at a time
    last = RollupRun.objects.filter(store=store).values_list("refreshed_at", flat=True).first() if since_day else None
    since_day = since_day or date(2000, 1, 1)
    since = store_day_bounds(store, since_day)[0]
    rows = [row for producer in PRODUCERS for row in producer(store, since)]
    DailyCount.objects.filter(store=store, month=False, day__gte=since_day).delete()
    DailyCount.objects.bulk_create(rows, batch_size=5_000)
    months = Q(day__gte=since_day.replace(day=1))
    changed = _changed_cases(store, last - CHANGE_MARGIN) if last is not None else []
    if changed:
        for figures in LATE_FIGURES:
            for first, final in _runs(sorted(figures.days(store, changed, since))):
                rows += _days_rebuild(store, figures, first, final)
                months |= Q(day__gte=first.replace(day=1), day__lt=_next_month(final))
    _months_rebuild(store, months)
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
    return list(
        facts.filter(**{f"{field}__lt": before})
        .annotate(day=_day(store, field))
        .values_list("day", flat=True)
        .order_by()
        .distinct()
    )


@dataclass(frozen=True)
class LateFigures:
    """Figures counted on a day that a change long after it can move: the producer that rebuilds them for a range of
    days, the metrics it writes, and the days before `before` that the cases changed since the last rebuild moved."""

    rebuild: Callable[[Store, datetime, datetime], list[DailyCount]]
    metrics: tuple[str, ...]
    days: Callable[[Store, list[int], datetime], list[date]]


LATE_FIGURES = (
    # A case is counted on the day it was opened, however long ago: the agent who closes a two-month-old case sees it
    # in their figures at the next frequent rebuild, not the next night.
    LateFigures(
        _cases,
        CASE_OPENING_METRICS,
        lambda store, changed, before: _days_of(Case.objects.filter(pk__in=changed), store, "opened_at", before),
    ),
    # A close is counted on its day: a reopening takes it off the day of each earlier close (the Pareto).
    LateFigures(
        _root_causes,
        ("root_cause",),
        lambda store, changed, before: _days_of(
            CaseEvent.objects.filter(case__in=changed, kind=CaseEvent.Kind.CLOSED), store, "at", before
        ),
    ),
    # A review is counted on the day it was posted: the first call of its case, weeks later, makes it contacted.
    LateFigures(
        _reviews,
        REVIEW_METRICS,
        lambda store, changed, before: _days_of(
            Review.objects.filter(store=store, case__in=changed), store, "posted_at", before
        ),
    ),
    # A remedy is counted on the day it was proposed, in the state it is in now: approved, declined, carried out.
    LateFigures(
        _remedies,
        REMEDY_METRICS,
        lambda store, changed, before: _days_of(Remedy.objects.filter(case__in=changed), store, "proposed_at", before),
    ),
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
