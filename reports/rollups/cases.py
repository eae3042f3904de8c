"""The producers of case figures: cases opened (per source, per agent), closes per root cause, and remedies."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Case as DbCase
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce

from crm.models import Case, CaseEvent, Remedy, Store
from crm.services.cases import CONTACT_SOURCES, FIRST_RESPONSE_KINDS
from reviews.models import Review

from ..models import DailyCount
from .rows import daily_counts, key_of, local_day, within

UNHAPPY = (Review.Sentiment.MID, Review.Sentiment.BAD)
# A review this long before a case opened still belongs to the same disappointment.
REVIEW_LOOKBACK = timedelta(days=30)


def first_contact_at(case: str = "") -> Coalesce:
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


def case_counts(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
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
        Case.objects.filter(within(since, until, "opened_at"), store=store)
        .annotate(day=local_day(store, "opened_at"), contacted_at=first_contact_at())
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
        Case.objects.filter(within(since, until, "opened_at"), store=store, assignee__isnull=False)
        .annotate(day=local_day(store, "opened_at"), was_escalated=ever_escalated, was_breached=ever_breached)
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
    source, agent = key_of("source"), key_of("assignee")
    return [
        *daily_counts(store, "case_opened", opened, source, "cases"),
        *daily_counts(store, "case_reached_first", opened, source, "reached"),
        *daily_counts(store, "agent_assigned", per_agent, agent, "assigned"),
        *daily_counts(store, "agent_closed", per_agent, agent, "closed", amount="seconds"),
        *daily_counts(store, "agent_still_open", per_agent, agent, "still_open"),
        *daily_counts(store, "agent_escalated", per_agent, agent, "escalated"),
        *daily_counts(store, "agent_breached", per_agent, agent, "breached"),
    ]


# What `case_counts` counts on the day a case was opened: what a change to an old case alters on that day.
CASE_OPENING_METRICS = (
    "case_opened",
    "case_reached_first",
    "agent_assigned",
    "agent_closed",
    "agent_still_open",
    "agent_escalated",
    "agent_breached",
)


def root_cause_counts(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Closed cases by the store-local day they were closed, per root cause (the Pareto)."""
    closed = (
        Case.objects.filter(within(since, until, "closed_at"), store=store, status=Case.Status.CLOSED)
        .annotate(day=local_day(store, "closed_at"))
        .values("day", "root_cause")
        .annotate(n=Count("id"))
        .order_by()
    )
    return daily_counts(store, "root_cause", closed, key_of("root_cause"), "n")


def _time_closed(store: Store, since: datetime, until: datetime | None) -> dict[tuple, timedelta]:
    """{(day, assignee): how long their closed cases opened that day sat closed between a close and a reopening}, from
    the cases' timelines: each reopening less the close before it. Summed as each reopening's time from the opening
    less each earlier close's (the closes before the last one), the same sum with no pairing of events, over the cases
    ever reopened only (found through the reopenings' own index): nothing is read for the others, nearly all. A
    duration, summed as the report's other durations are (SQLite has no EXTRACT from one)."""
    reopened = CaseEvent.objects.filter(
        within(since, until, "case__opened_at"), kind=CaseEvent.Kind.REOPENED, case__store=store
    ).values("case")
    since_opening = ExpressionWrapper(F("at") - F("case__opened_at"), output_field=DurationField())
    before_opening = ExpressionWrapper(F("case__opened_at") - F("at"), output_field=DurationField())
    rows = (
        CaseEvent.objects.filter(case__in=reopened, case__status=Case.Status.CLOSED, case__assignee__isnull=False)
        .filter(Q(kind=CaseEvent.Kind.REOPENED) | Q(kind=CaseEvent.Kind.CLOSED, at__lt=F("case__closed_at")))
        .annotate(day=local_day(store, "case__opened_at"))
        .values("day", "case__assignee")
        .annotate(closed=Sum(DbCase(When(kind=CaseEvent.Kind.REOPENED, then=since_opening), default=before_opening)))
        .order_by()
    )
    return {(row["day"], row["case__assignee"]): row["closed"] or timedelta(0) for row in rows}


# What `remedy_counts` counts on the day a remedy was proposed.
REMEDY_METRICS = ("remedy", "agent_remedy")


def remedy_counts(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Per kind and status, and per agent, with their cost: each per currency ("coupon:agreed:EUR"), as costs in
    different currencies are never added up (ADR 0036)."""
    remedies = Remedy.objects.filter(within(since, until, "proposed_at"), case__store=store).annotate(
        day=local_day(store, "proposed_at")
    )
    by_kind = remedies.values("day", "kind", "status", "currency").annotate(n=Count("id"), cost=Sum("cost")).order_by()
    by_agent = (
        remedies.filter(status__in=Remedy.STANDING)
        .values("day", "proposed_by", "currency")
        .annotate(n=Count("id"), cost=Sum("cost"))
    )
    return [
        *daily_counts(store, "remedy", by_kind, key_of("kind", "status", "currency"), "n", amount="cost"),
        *daily_counts(
            store, "agent_remedy", by_agent.order_by(), key_of("proposed_by", "currency"), "n", amount="cost"
        ),
    ]
