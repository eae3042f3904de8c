"""The producers of follow-up figures: care follow-ups per state, calls per agent, and deliveries' first contact."""

from datetime import datetime, timedelta

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
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from callbacks.models import (
    REACHED_OUTCOMES,
    SENT_UNDELIVERED,
    CallAttempt,
    ClosedUncalled,
    ClosedUnlogged,
    FollowUp,
)
from crm.models import Order, Store

from ..models import DailyCount
from .rows import daily_counts, key_of, local_day, within

CALLS = (FollowUp.Channel.CALL, FollowUp.Channel.DEDICATED)
# Delivery-to-first-contact buckets: (key, up to this many hours).
CONTACT_BUCKETS = (("2h", 2), ("12h", 12), ("36h", 36), ("later", None))


# The after-delivery care contacts: call tasks (other purposes) are not a delivery's coverage.
CARE = FollowUp.Purpose.CARE


# A call nobody made in its window is closed (done) as missed (callbacks.services.missed): it counts as its own state,
# neither open nor done, and never as a call an agent made. So does a call made whose outcome nobody logged (closed
# as not logged by the same sweep, ADR 0028): called, but nobody knows with what result.
MISSED = Q(outcome=ClosedUncalled.MISSED)
NOT_LOGGED = Q(outcome=ClosedUnlogged.NOT_LOGGED)
# A care SMS sent that the provider reported it could not deliver (`undelivered`, `failed`) never reached the customer:
# its own state, neither done nor a first contact. One sent with no such report (delivered, read, or no delivery report
# at all, as some carriers give none) is done. A parcel's delay notice likewise told nobody (`parcel_delay_counts`).
UNDELIVERED = SENT_UNDELIVERED


def followup_counts(store: Store, since: datetime) -> list[DailyCount]:
    followups = FollowUp.objects.filter(store=store, purpose=CARE, window_start__gte=since).annotate(
        day=local_day(store, "window_start")
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
        *daily_counts(store, "followup", by_state, key_of("tier", "state"), "n"),
        *daily_counts(store, "followup_suppressed", suppressed, key_of("tier", "suppressed_reason"), "n"),
        *daily_counts(store, "call_outcome", outcomes.order_by(), key_of("outcome"), "n"),
        *daily_counts(store, "agent_calls", calls, key_of("assignee"), "calls"),
        *daily_counts(store, "agent_calls_done", calls, key_of("assignee"), "done"),
        *daily_counts(store, "agent_calls_missed", calls, key_of("assignee"), "missed"),
        *daily_counts(store, "agent_calls_not_logged", calls, key_of("assignee"), "not_logged"),
    ]


# What `delivery_counts` counts on the day an order was delivered.
DELIVERY_METRICS = ("uncovered_delivery", "first_contact")


def delivery_counts(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Deliveries with no follow-up at all, and how long after delivery each tier's first contact came: a care SMS sent
    and not reported undelivered, or the first call attempt that reached the customer."""
    uncovered = (
        Order.objects.filter(within(since, until, "delivered_at"), store=store)
        .exclude(Exists(FollowUp.objects.filter(order=OuterRef("pk"), purpose=CARE)))
        .annotate(day=local_day(store, "delivered_at"))
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
        FollowUp.objects.filter(within(since, until, "order__delivered_at"), store=store, purpose=CARE)
        .annotate(day=local_day(store, "order__delivered_at"), delay=delay)
        .filter(delay__isnull=False)
        .annotate(bucket=bucket)
        .values("day", "tier", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        *daily_counts(store, "uncovered_delivery", uncovered, key_of(), "n"),
        *daily_counts(store, "first_contact", contacted, key_of("tier", "bucket"), "n"),
    ]
