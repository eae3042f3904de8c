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
from .rows import _between, _day, _key, _rows

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


# What `_deliveries` counts on the day an order was delivered.
DELIVERY_METRICS = ("uncovered_delivery", "first_contact")


def _deliveries(store: Store, since: datetime, until: datetime | None = None) -> list[DailyCount]:
    """Deliveries with no follow-up at all, and how long after delivery each tier's first contact came: a care SMS sent
    and not reported undelivered, or the first call attempt that reached the customer."""
    uncovered = (
        Order.objects.filter(_between(since, until, "delivered_at"), store=store)
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
        FollowUp.objects.filter(_between(since, until, "order__delivered_at"), store=store, purpose=CARE)
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
