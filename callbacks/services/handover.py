"""An agent who no longer serves a store (crm.signals.agent_left_stores) hands on their calls still to come there.

Nobody else sees a call assigned to someone else, and the agent no longer sees the store: left as it was, the call
would close as missed after its window (ADR 0027). So each of their follow-ups in those stores still `planned` whose
window has not ended goes on, by the rule that placed it:

- an evening care call (dedicated or not) is placed again by planning's rule (`capacity.care_call_place`): to the
  customer's owner while the owner serves the store (a customer whose owner was the agent who left gets a new one),
  else to the least filled on-shift agent, if they have room that evening; otherwise it is flagged `overflowed` and
  moved by the store's overflow rule (a care SMS instead, or the next evening), as a delivery planned now would be.
  Dedicated customers and larger orders get the evening's last room first, as in planning;
- a call planned again after an attempt keeps its time: a call back the customer asked for, and the retry of a call
  that rang unanswered (its later start that evening, its attempts counted); so does a call task another app made
  keep its day (tasks are not limited by the evening capacity): the owner while they serve the store, else the least
  filled on-shift agent, even past capacity.

A call the overflow rule moves onto a day on which its customer already has a care contact becomes one contact with
it, by planning's rule (ADR 0051). Nobody on shift in the store: the call is left unassigned, on the manager's
queue. A call under way (`in_progress`) is left to the agent making it. Each handover is audited.

Their open calls about a case (`CaseCall`, ADR 0012) follow the case: crm has handed the agent's open cases on before
the signal, so each goes to its case's assignee, with its attempts, unless that agent is on the phone about it now.
"""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from callbacks.models import (
    CALL_CHANNELS,
    CaseCall,
    FollowUp,
    FollowUpChannel,
    FollowUpPolicy,
    FollowUpPurpose,
    OverflowRule,
)
from crm.models import Case, Customer
from crm.services.audit import audit_record
from crm.services.closures import stores_closed_days
from crm.services.locks import customers_lock

from .capacity import CallCapacity, Window, care_call_place, care_sms_allowed, followup_call_priority
from .case_calls import case_call_follow_case
from .one_a_day import followups_hold_one_a_day
from .policy import policy_for_store
from .rows import customers_set_dedicated_owner
from .windows import call_window

# Why the call changed hands, as the audit entry stores it (crm.readable.details.HANDOVER_REASONS says it in words).
LEFT_STORE = "assignee_left_store"


@transaction.atomic
def followups_hand_over(*, agent_id: int, store_ids: list[int], now: datetime | None = None) -> list[FollowUp]:
    """Hand the agent's planned calls still to come in these stores to someone still serving them (see the module).
    Returns the follow-ups handed on. Idempotent: a second call finds none of theirs left there."""
    now = now or timezone.now()
    theirs = _theirs(agent_id=agent_id, store_ids=store_ids, now=now)
    calls = _lock_calls(theirs)
    if not calls:
        return []
    customer_ids = {call.customer_id for call in calls if _goes_to_owner(call)}
    owners = dict(Customer.objects.filter(id__in=customer_ids).values_list("id", "dedicated_owner_id"))
    policies = {call.store_id: policy_for_store(store=call.store) for call in calls}
    closed = stores_closed_days(store_ids=policies, now=now)
    texts = _care_sms_allowed(calls, policies)
    capacity = CallCapacity(store_ids=set(store_ids))
    new_owners: dict[int, int] = {}
    moved: list[FollowUp] = []
    # What keeps its time first (it takes its agent's room whatever the load), then by planning's priority.
    calls.sort(key=lambda call: (not _keeps_its_time(call), *_priority(call, policies), call.window_start, call.pk))
    for call in calls:
        policy = policies[call.store_id]
        evening = _evening(call, policy, closed[call.store_id])
        dedicated = call.channel == FollowUpChannel.DEDICATED
        owner = owners.get(call.customer_id) if _goes_to_owner(call) else None
        if _keeps_its_time(call):
            successor = capacity.owner_else_least_loaded(store_id=call.store_id, window=evening, owner_id=owner)
            if successor is not None:
                capacity.take(store_id=call.store_id, agent_id=successor, window=evening)
            chosen_owner = successor if dedicated else None
        else:
            placed = care_call_place(
                capacity,
                store=call.store,
                policy=policy,
                evening=evening,
                channel=call.channel,
                owner_id=owner,
                sms_allowed=call.customer_id in texts,
                since=now,
                closed=closed[call.store_id],
            )
            successor, chosen_owner = placed.assignee_id, placed.owner_id
            call.channel, call.overflowed = placed.channel, call.overflowed or placed.overflowed
            if placed.window != evening:  # moved by the overflow rule
                call.window_start, call.window_end = placed.window
                moved.append(call)
        if chosen_owner not in (None, owner):
            owners[call.customer_id] = new_owners[call.customer_id] = chosen_owner
        call.assignee_id = successor
        call.save(update_fields=["assignee", "channel", "overflowed", "window_start", "window_end", "updated_at"])
        audit_record(
            actor=None,
            action="followup.reassigned",
            store=call.store,
            target=f"followup:{call.pk}",
            data={"from_agent_id": agent_id, "to_agent_id": successor, "why": LEFT_STORE},
        )
    customers_set_dedicated_owner(new_owners)
    # A call moved onto a day the customer already has a contact on becomes one with it (ADR 0051).
    followups_hold_one_a_day(moved=moved)
    return calls


def followups_to_hand_over_customers(*, agent_id: int, store_ids: list[int]) -> set[int]:
    """The customers whose rows `followups_hand_over` will lock: crm locks them, with its cases' customers, before it
    locks the cases it hands on (crm.signals.agent_leaving_stores, ADR 0037). Read as the handover reads its calls, a
    moment earlier: a call whose window ends in between is one customer more, locked and not written."""
    theirs = _theirs(agent_id=agent_id, store_ids=store_ids, now=timezone.now())
    return set(theirs.values_list("customer_id", flat=True))


def _theirs(*, agent_id: int, store_ids: list[int], now: datetime) -> QuerySet[FollowUp]:
    """The agent's planned calls in these stores whose window has not ended: what the handover hands on."""
    return FollowUp.objects.filter(
        assignee_id=agent_id,
        store_id__in=store_ids,
        channel__in=CALL_CHANNELS,
        status=FollowUp.Status.PLANNED,
        window_end__gt=now,
    )


class _CustomerNotHeld(Exception):
    """A call of the agent's whose customer the round did not lock: the round's locks are let go (its savepoint)."""


def _lock_calls(theirs: QuerySet[FollowUp]) -> list[FollowUp]:
    """The customers before their calls (ADR 0037), all in one statement in id order, as planning locks them, so an
    owner is never chosen twice at once, no call is held while its customer is waited on (the SMS claim holds a
    customer, then waits on their contacts of the day, ADR 0051), and no customer is waited on while one with a higher
    id is held (planning a delivery of both takes them in id order). A call given to the agent after the customers
    were read (a delivery planned meanwhile) has a customer the statement did not lock: the round's locks are let go
    (rolled back to its savepoint, which in PostgreSQL releases the rows it locked) and every customer is locked again,
    the new one among them, in one statement, until a round finds none left. Once a customer is held no call of theirs
    can be given to the agent (planning and call tasks lock them too)."""
    customer_ids = set(theirs.values_list("customer_id", flat=True))
    while True:
        try:
            with transaction.atomic():
                customers_lock(customer_ids)
                calls = list(
                    theirs.filter(customer_id__in=customer_ids)
                    .select_for_update(of=("self",))
                    .select_related("store__followup_policy", "order")
                )
                if new := set(theirs.exclude(customer_id__in=customer_ids).values_list("customer_id", flat=True)):
                    raise _CustomerNotHeld
                return calls
        except _CustomerNotHeld:
            customer_ids |= new


def _goes_to_owner(call: FollowUp) -> bool:
    """A dedicated call (planning's rule) and a call task (call_task_create's rule, whatever its channel) go to the
    customer's owner while the owner serves the store."""
    return call.channel == FollowUpChannel.DEDICATED or call.purpose != FollowUpPurpose.CARE


def _keeps_its_time(call: FollowUp) -> bool:
    """A call planned again after an attempt was logged on it keeps its time: a call back at the time the customer
    asked for, or the retry of a call that rang unanswered, later in the evening it was made in (ADR 0051: the same
    call's next try, already counted in that evening, not a contact still to begin). A call task keeps its day
    (call_task_create does not limit tasks by the evening capacity). None of them is moved by the overflow rule."""
    return call.purpose != FollowUpPurpose.CARE or call.attempts > 0


def _priority(call: FollowUp, policies: dict[int, FollowUpPolicy]):
    return followup_call_priority(followup=call, policy=policies[call.store_id])


def _evening(call: FollowUp, policy: FollowUpPolicy, closed) -> Window:
    """The store's evening the call falls in (planned there, or tried again later in it), whose capacity it counts
    against; a call outside every evening (a call task's day, a call back asked for the afternoon) has its own."""
    evening = call_window(policy=policy, store=call.store, moment=call.window_start, closed=closed)
    return evening if evening[0] <= call.window_start else (call.window_start, call.window_end)


def _care_sms_allowed(calls: list[FollowUp], policies: dict[int, FollowUpPolicy]) -> set[int]:
    """The customers of stores that text instead of calling on a full evening whom the gate would send a care SMS
    (its standing answer: the hour aside, as planning asks it), in one question per store."""
    asked: dict[int, set[int]] = defaultdict(set)
    stores = {}
    for call in calls:
        if policies[call.store_id].overflow_rule == OverflowRule.SMS_INSTEAD and not _keeps_its_time(call):
            asked[call.store_id].add(call.customer_id)
            stores[call.store_id] = call.store
    allowed = set()
    for store_id, customer_ids in asked.items():
        allowed |= care_sms_allowed(store=stores[store_id], customer_ids=customer_ids)
    return allowed


@transaction.atomic
def case_calls_hand_over(*, agent_id: int, store_ids: list[int]) -> list[CaseCall]:
    """The agent's open calls about open cases of these stores go to each case's assignee, the agent crm handed the
    case to (or the colleague whose case it was), with their attempts. Returns the case calls handed on.

    A call ringing or talking now stays with the agent making it; once it is over, the case's assignee takes the call
    over from the case page (`case_call_open`). So does whoever is given a case nobody was left to take: the call
    waits with the agent who left, unseen, as the case waits on the manager's list. Idempotent."""
    case_calls = list(
        CaseCall.objects.select_for_update(of=("self",))
        .filter(
            assignee_id=agent_id,
            store_id__in=store_ids,
            status__in=CaseCall.OPEN_STATUSES,
            case__status__in=Case.OPEN_STATUSES,
        )
        .select_related("store", "case")
        .order_by("id")
    )
    if not case_calls:
        return []
    return [case_call for case_call in case_calls if case_call_follow_case(case_call=case_call, why=LEFT_STORE)]
