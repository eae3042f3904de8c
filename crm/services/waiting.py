"""Waiting on the customer (ADR 0034): we asked the customer for something (photos of the damage, an address for
the replacement, a yes to an offer) and nobody on our side can go on until they answer.

While a case waits, its resolution clock is paused: the escalation sweep does not escalate it for its resolution,
and the case list shows no deadline for it. The first-response clock is never paused: a case waits only once the
customer was answered. The wait ends when

- the agent resumes it (`case_resume`), or agrees a remedy (`remedy_propose`: the customer accepted);
- the customer is reached on a call (a `call` event, `case_add_event`) or a call or an SMS reply from them joins the
  case (`cases_open`), or they reply by SMS at all (`cases_resume_for_customer`, called by callbacks' inbound SMS);
- the store's longest wait (`CasePolicy.max_wait_days`) has passed (`cases_resume_waits_due`, every minute by beat),
  so a case cannot hide for ever.

On each the case is in progress again and its resolution deadline moves later by the service time the wait took
(`crm.services.cases.case_wait_end`, which the other services in crm call too).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.errors import CaseClosed, InvalidInput, InvalidTransition
from crm.models import Case, CaseEvent, CasePolicy, Customer
from crm.readable.details import resumed_label
from crm.timezones import store_local_datetime, store_same_wall_time, to_store_local

from .audit import audit_record
from .cases import Resumed, case_add_event, case_wait_end

ASKED_MAX_LENGTH = 500
# Where a wait can start: not while a remedy waits for the manager (that is our side's wait, the clock runs).
WAIT_FROM = (Case.Status.OPEN, Case.Status.IN_PROGRESS)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("store").get(pk=case.pk)


def max_wait_days_for(*, store) -> int:
    days = CasePolicy.objects.filter(store=store).values_list("max_wait_days", flat=True).first()
    return days or CasePolicy.DEFAULT_MAX_WAIT_DAYS


def _local(moment: datetime, store) -> str:
    return date_format(to_store_local(moment, store), "m-d H:i")


@transaction.atomic
def case_wait(*, case: Case, actor, asked: str) -> Case:
    """Set the case waiting on the customer, saying what was asked. It resumes by itself after the store's longest
    wait, at the same local time that many days later. The same wait asked again (a double click, a form sent
    twice) changes nothing."""
    asked = " ".join(asked.split())
    if not asked:
        raise InvalidInput(_("Say what you asked the customer for."), field="asked")
    if len(asked) > ASKED_MAX_LENGTH:
        raise InvalidInput(
            _("Say what you asked in at most %(max)s characters.") % {"max": ASKED_MAX_LENGTH}, field="asked"
        )
    case = _lock(case)
    if not case.is_open:
        raise CaseClosed(_("The case is closed: there is nothing to wait for."), case_id=case.pk)
    if case.status == Case.Status.AWAITING_CUSTOMER:
        if case.waiting_for == asked:
            return case
        raise InvalidTransition(
            _("The case already waits on the customer since %(since)s, for: %(asked)s. Resume it first.")
            % {"since": _local(case.waiting_since, case.store), "asked": case.waiting_for},
            field="status",
        )
    if case.status not in WAIT_FROM:
        raise InvalidTransition(
            _("A remedy waits for the manager's decision: the case cannot wait on the customer meanwhile."),
            field="status",
        )
    if case.first_response_at is None:
        raise InvalidTransition(
            _("Answer the customer first (a call or an SMS): the first-response clock does not stop for a wait."),
            field="status",
        )
    now = timezone.now()
    days = max_wait_days_for(store=case.store)
    local = to_store_local(now, case.store)
    case.status, case.waiting_since, case.waiting_for = Case.Status.AWAITING_CUSTOMER, now, asked
    case.waiting_until = store_local_datetime(case.store, local.date() + timedelta(days=days), local.time())
    case.save(update_fields=["status", "waiting_since", "waiting_until", "waiting_for"])
    data = {"max_wait_days": days}
    case_add_event(case=case, kind=CaseEvent.Kind.AWAITING_CUSTOMER, actor=actor, message=asked, data=data)
    audit_record(
        actor=actor, action="case_waiting", store=case.store, target=f"case #{case.pk}", data={**data, "asked": asked}
    )
    return case


def _last_resumed(case: Case) -> CaseEvent | None:
    return case.events.filter(kind=CaseEvent.Kind.RESUMED).select_related("actor").order_by("-at", "-id").first()


@transaction.atomic
def case_resume(*, case: Case, actor, note: str = "") -> Case:
    """The agent takes the case up again (the customer answered some other way, or we go on without them)."""
    case = _lock(case)
    if not case.is_open:
        raise CaseClosed(case_id=case.pk)
    if case.status != Case.Status.AWAITING_CUSTOMER:
        # A second click, or a page left open while a call or the customer's SMS resumed it: say what happened.
        last = _last_resumed(case)
        message = _("The case is not waiting on the customer: it is %(status)s.") % {
            "status": case.get_status_display()
        }
        if last is not None:
            message += " " + _("It was resumed %(at)s (%(why)s).") % {
                "at": _local(last.at, case.store),
                "why": resumed_label(last.data.get("resumed", "")),
            }
        raise InvalidTransition(message, field="status")
    return case_wait_end(case=case, resumed=Resumed.AGENT, actor=actor, message=" ".join(note.split()))


@transaction.atomic
def cases_resume_for_customer(*, customer: Customer, resumed: str = Resumed.SMS, message: str = "") -> list[int]:
    """The customer answered us (callbacks: an SMS reply that is not an opt-out): each of their cases waiting on
    them is worked again. Returns the case ids resumed."""
    waiting = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("store")
        .filter(customer=customer, status=Case.Status.AWAITING_CUSTOMER)
        .order_by("pk")
    )
    for case in waiting:
        case_wait_end(case=case, resumed=resumed, message=message[:ASKED_MAX_LENGTH])
    return [case.pk for case in waiting]


@transaction.atomic
def cases_resume_waits_due(*, now: datetime | None = None, batch: int = 200) -> list[int]:
    """Resume each case whose longest wait has passed, so none waits for ever; its clock runs again. Rows are
    claimed with SKIP LOCKED, so two beat runs at once split the work; a case resumed meanwhile (its status changed)
    is not found again. Returns case ids."""
    now = now or timezone.now()
    claimed = list(
        Case.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("store")
        .filter(status=Case.Status.AWAITING_CUSTOMER, waiting_until__lte=now)
        .order_by("waiting_until", "id")[:batch]
    )
    for case in claimed:
        case_wait_end(case=case, resumed=Resumed.MAX_WAIT, now=now)
    return [case.pk for case in claimed]


def cases_waits_follow_zone(*, store, old_timezone: str, now: datetime) -> int:
    """The store moved to another time zone (ADR 0029): each wait still to end resumes at the local time it would have
    in the old zone (Thursday 11:00 stays Thursday 11:00), not at the same instant. Called inside the zone change's
    transaction. Returns the cases moved."""
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(store=store, status=Case.Status.AWAITING_CUSTOMER, waiting_until__gt=now)
        .order_by("pk")
    )
    for case in cases:
        case.waiting_until = store_same_wall_time(store, case.waiting_until, was_in=old_timezone)
    Case.objects.bulk_update(cases, ["waiting_until"])
    return len(cases)
