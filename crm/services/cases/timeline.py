"""The case's timeline, and the end of a wait on the customer that a call on the timeline brings.

The two are one module because each writes the other: a call event ends a wait, and the end of a wait is a resumed
event. Opening writes its events through `events_record` and closing ends a wait through `wait_clear`, so each rule is
written once.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.models import Case, CaseEvent
from crm.signals import case_event_added

from ..audit import audit_record
from ..service_time import working_later, working_time_between
from ..sla import service_hours_for

# Contact with the customer that stops the first-response clock.
FIRST_RESPONSE_KINDS = (CaseEvent.Kind.CALL, CaseEvent.Kind.SMS)


class Resumed:
    """Why a case waiting on the customer went back to work (a resumed event's `resumed`)."""

    AGENT = "agent"  # the agent resumed it (the customer answered elsewhere, or a remedy was agreed)
    CALL = "call"  # the customer was reached on a call
    SMS = "sms"  # the customer replied by SMS
    MAX_WAIT = "max_wait"  # the store's longest wait passed


@transaction.atomic  # the event, the first response and the end of a wait are one write
def case_add_event(
    *, case: Case, kind: str, actor=None, message: str = "", data: dict[str, Any] | None = None
) -> CaseEvent:
    now = timezone.now()
    if kind in FIRST_RESPONSE_KINDS and case.first_response_at is None:
        Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(first_response_at=now)
        case.first_response_at = now
    event = events_record([CaseEvent(case=case, kind=kind, actor=actor, message=message, data=data or {}, at=now)])[0]
    if kind == CaseEvent.Kind.CALL:
        # The customer was reached on a call: whatever we waited for, they are talking to us now.
        waiting = Case.objects.select_for_update().filter(pk=case.pk, status=Case.Status.AWAITING_CUSTOMER).first()
        if waiting is not None:
            case_wait_end(case=waiting, resumed=Resumed.CALL, actor=actor, now=now)
            case.status, case.resolution_due = waiting.status, waiting.resolution_due
            case.resolution_paused, case.customer_waited = waiting.resolution_paused, waiting.customer_waited
            case.waiting_since = case.waiting_until = None
    return event


def wait_clear(*, case: Case, end: datetime) -> None:
    """The case waits no more: its wait, up to `end`, is added to the time it waited on the customer (wall clock,
    what the reports take off the time to close)."""
    if case.waiting_since is not None:
        case.customer_waited += max(end - case.waiting_since, timedelta(0))
    case.waiting_since = case.waiting_until = None
    case.waiting_for = ""


def case_wait_end(*, case: Case, resumed: str, actor=None, message: str = "", now: datetime | None = None) -> Case:
    """End the case's wait on the customer (the case is locked by the caller and waiting): it is in progress again,
    and its resolution deadline moves later by the service time the wait took, counted in the store's service
    hours and time zone like the deadline itself (ADR 0006, 0034). Writes a resumed event and an audit entry."""
    now = now or timezone.now()
    hours = service_hours_for(store=case.store)
    since = case.waiting_since
    # Never more than the store's longest wait, even when the sweep that ends it runs late: after it the clock runs.
    end = min(now, case.waiting_until) if case.waiting_until else now
    paused = working_time_between(store=case.store, start=since, end=end, hours=hours) if since else timedelta(0)
    if case.resolution_due is not None:
        case.resolution_due = working_later(store=case.store, moment=case.resolution_due, by=paused, hours=hours)
    case.resolution_paused += paused
    wait_clear(case=case, end=end)
    case.status = Case.Status.IN_PROGRESS
    case.save(
        update_fields=[
            "status",
            "waiting_since",
            "waiting_until",
            "waiting_for",
            "resolution_due",
            "resolution_paused",
            "customer_waited",
        ]
    )
    data = {
        "resumed": resumed,
        "waited": int((now - since).total_seconds() // 60) if since else 0,
        "paused": int(paused.total_seconds() // 60),
    }
    case_add_event(case=case, kind=CaseEvent.Kind.RESUMED, actor=actor, message=message, data=data)
    audit_record(actor=actor, action="case_resumed", store=case.store, target=f"case #{case.pk}", data=data)
    return case


def events_record(events: list[CaseEvent]) -> list[CaseEvent]:
    """Write timeline events and tell the other apps of each (crm.signals.case_event_added)."""
    events = CaseEvent.objects.bulk_create(events)
    for event in events:
        case_event_added.send(sender=CaseEvent, event=event)
    return events
