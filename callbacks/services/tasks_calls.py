"""Call tasks: a call for the day that another app asks an agent to make (a parcel at risk, a return visit).

A call task is a `FollowUp` with a purpose other than `care`, a daytime window (the store's call hours on the due
day, in its time zone) and its own note and script for the panel. It shows in the agent's queue under "Today",
beside the evening's care calls, and is placed, logged and refused exactly like them: click to call asks the
contact gate, outcomes go through `followup_log_outcome`.

Other apps create one with `call_task_create` only, take back the ones they no longer want made with
`call_tasks_withdraw`, and say that the customer answered them by SMS with `call_tasks_note_replies` (the queue lists
such a task first); the contract is in docs/architecture.md ("The contact gate", "Call tasks") and ADR 0017.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.models import LIVE_STATUSES, FollowUp, FollowUpChannel, FollowUpPurpose, SuppressedReason
from crm.errors import InvalidInput
from crm.models import Agent, Customer, Order, Store
from crm.services.closures import stores_closed_days
from crm.services.locks import advisory_lock, customers_lock
from crm.timezones import store_local_datetime, store_today, to_store_local

from .capacity import CallCapacity
from .gate import ContactChannel, contact_decide, gate_purpose
from .policy import policy_for_store
from .windows import open_day

NOTE_MAX_LENGTH = 2000
SCRIPT_MAX_LENGTH = 4000


def _validate(*, order: Order, customer: Customer, purpose: str, due_on: date, note: str, script: str) -> None:
    if purpose not in FollowUpPurpose.values or purpose == FollowUpPurpose.CARE:
        raise InvalidInput(_("A call task is about a parcel or a return visit."), field="purpose")
    if order.customer_id != customer.pk or order.store_id != customer.store_id:
        raise InvalidInput(_("The order is not this customer's."), field="order")
    if due_on < store_today(customer.store):
        raise InvalidInput(_("A call task cannot be due in the past."), field="due_on")
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(_("The note is limited to %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH}, field="note")
    if len(script) > SCRIPT_MAX_LENGTH:
        raise InvalidInput(
            _("The script is limited to %(limit)d characters.") % {"limit": SCRIPT_MAX_LENGTH}, field="script"
        )


def call_task_due_on(*, store: Store, now: datetime) -> date:
    """The day a call task asked for now is due: today in the store, or tomorrow once today's call hours are over,
    or the first day after that the store is not closed (ADR 0035)."""
    day = store_today(store, now=now)
    if to_store_local(now, store).time() >= policy_for_store(store=store).call_hours_until:
        day += timedelta(days=1)
    return open_day(day, closed=stores_closed_days(store_ids=[store.pk], now=now)[store.pk])


def call_tasks_lock(*, keys: Iterable[tuple[int, str]]) -> None:
    """Hold the lock on the call tasks of these (order id, purpose) pairs until the transaction ends.

    `call_task_create` takes its pair's lock before it looks for a live task, so two runs asking for the same call
    at once make one task: the second waits for the first to commit, then finds its task (the unique constraint on
    live tasks would otherwise fail the second run). A sweep that creates several tasks in one transaction takes
    all of its pairs first, in one sorted go, so that two overlapping sweeps cannot deadlock on them; and then its
    customers (`crm.services.locks.customers_lock`), which `call_task_create` locks one by one, for the same reason."""
    advisory_lock(f"call-task:{order_id}:{purpose}" for order_id, purpose in keys)


def _assignee(*, customer: Customer, window: tuple[datetime, datetime], assignee: Agent | None) -> int | None:
    """The given agent, else the customer's dedicated owner while they serve the store, else the least loaded
    on-shift agent of the store that day (tasks are not limited by the evening capacity)."""
    if assignee is not None:
        if not assignee.stores.filter(pk=customer.store_id).exists():
            raise InvalidInput(_("This agent does not serve the customer's store."), field="assignee")
        return assignee.pk
    capacity = CallCapacity(store_ids={customer.store_id})
    return capacity.owner_else_least_loaded(
        store_id=customer.store_id, window=window, owner_id=customer.dedicated_owner_id
    )


@transaction.atomic
def call_task_create(
    *,
    order: Order,
    customer: Customer,
    purpose: str,
    due_on: date,
    note: str,
    script: str = "",
    assignee: Agent | None = None,
    replied_at: datetime | None = None,
) -> FollowUp:
    """A call for `due_on` (store-local day) about `order`, in the store's daytime call hours; on a day the store is
    closed (a closure, ADR 0035), for the first day after it that is open.

    Idempotent, also beside a concurrent call for the same task (`call_tasks_lock`): while a task of this purpose
    is live for the order, that task is returned unchanged. The contact
    gate is asked at once: a customer who may not be called (do not contact, no calls, no phone, no marketing
    consent for a return visit) gets the task kept as suppressed with the gate's reason, never in a queue.
    `replied_at`: the customer already answered the store by SMS, as the asking app counts an answer
    (`call_tasks_note_replies`).
    """
    note, script = note.strip(), script.strip()
    _validate(order=order, customer=customer, purpose=purpose, due_on=due_on, note=note, script=script)
    call_tasks_lock(keys=[(order.pk, purpose)])
    # The customer before their calls (ADR 0037), and the gate then reads their wishes as a STOP being written leaves
    # them: a task decided on the customer's word from before would wait in a queue, unseen by the STOP's withdrawal.
    customers_lock([customer.pk])
    existing = (
        FollowUp.objects.select_for_update()
        .filter(order=order, purpose=purpose, status__in=LIVE_STATUSES)
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing
    store = customer.store
    policy = policy_for_store(store=store)
    due_on = open_day(due_on, closed=stores_closed_days(store_ids=[store.pk], now=timezone.now())[store.pk])
    window_start = store_local_datetime(store, due_on, policy.call_hours_from)
    window_end = store_local_datetime(store, due_on, policy.call_hours_until)
    decision = contact_decide(
        customer=customer, channel=ContactChannel.CALL, purpose=gate_purpose(purpose), at=window_start, order=order
    )
    refused = not decision and not decision.only_the_hour
    window = (window_start, window_end)
    return FollowUp.objects.create(
        store=store,
        customer=customer,
        order=order,
        purpose=purpose,
        tier=FollowUpChannel.CALL,
        channel=FollowUpChannel.CALL,
        status=FollowUp.Status.SUPPRESSED if refused else FollowUp.Status.PLANNED,
        suppressed_reason=decision.reason if refused else "",
        contact_day=due_on,
        window_start=window_start,
        window_end=window_end,
        assignee_id=None if refused else _assignee(customer=customer, window=window, assignee=assignee),
        note=note,
        script=script,
        customer_replied_at=replied_at,
    )


def call_tasks_note_replies(*, purpose: str, replies: Mapping[tuple[int, int], datetime]) -> int:
    """The customers answered the store by SMS ({(store id, customer id): when}), as the app that asks for calls of
    `purpose` counts an answer (a return visit: a reply to one of the store's running campaigns, ADR 0024): their call
    tasks of that purpose still to be made there (planned, or under way) show the latest answer, and the queue lists
    them first (callbacks.selectors). A care contact is never marked. Called in the reply's transaction, which holds
    the customers' locks (ADR 0037: the customer before their calls). Returns the tasks marked."""
    if purpose == FollowUpPurpose.CARE:
        raise ValueError("a care contact is no call task")
    marked = 0
    for (store_id, customer_id), at in sorted(replies.items()):
        marked += (
            FollowUp.objects.filter(
                store_id=store_id,
                customer_id=customer_id,
                purpose=purpose,
                status__in=[FollowUp.Status.PLANNED, FollowUp.Status.IN_PROGRESS],
            )
            .filter(Q(customer_replied_at__isnull=True) | Q(customer_replied_at__lt=at))
            .update(customer_replied_at=at, updated_at=timezone.now())
        )
    return marked


@transaction.atomic
def call_tasks_withdraw(*, followup_ids: Iterable[int], reason: str) -> list[int]:
    """Take back call tasks their app no longer wants made (a stopped campaign's return visits): each still `planned`
    (not called yet, or planned again after no answer) is suppressed with `reason` (a `SuppressedReason`, which the
    panel and the customer's history show), out of every queue; its attempts and ledger rows stay as they were.
    Returns the ids withdrawn.

    A task `in_progress` (a call claimed or under way) is left to finish: its agent logs the outcome, and the app,
    told through `followup_outcome_logged`, withdraws a retry then if it still wants none. Every task named is
    locked, whatever its status, in id order, as the outcome service and a click lock one: a click being claimed or
    an outcome being logged is waited for, and the task is then found as they left it. The caller locks its own rows
    after this (the outcome service's order: the task, then the app's row). A care contact is never withdrawn."""
    if reason not in SuppressedReason.values:
        raise ValueError(f"unknown suppressed reason {reason!r}")
    tasks = (
        FollowUp.objects.select_for_update()
        .filter(pk__in=list(followup_ids))
        .exclude(purpose=FollowUpPurpose.CARE)
        .order_by("pk")
        .values_list("pk", "status")
    )
    withdrawn = [pk for pk, status in tasks if status == FollowUp.Status.PLANNED]
    FollowUp.objects.filter(pk__in=withdrawn).update(
        status=FollowUp.Status.SUPPRESSED, suppressed_reason=reason, updated_at=timezone.now()
    )
    return withdrawn
