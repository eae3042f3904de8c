"""An agent who no longer serves a store (crm.signals.agent_left_stores) hands on their calls still to come there.

Nobody else sees a call assigned to someone else, and the agent no longer sees the store: left as it was, the call
would close as missed after its window (ADR 0027). So each of their follow-ups in those stores still `planned` whose
window has not ended (an evening care call, a dedicated owner's call, a call task another app made) goes to the
store's least loaded on-shift agent in that window, the choice planning makes (`CallCapacity.least_loaded`), even
past their capacity: the call was promised for that window. A dedicated customer's call goes to the customer's owner
while the owner still serves the store; a customer whose owner was the agent who left gets the new agent as owner,
as planning does when it finds the owner gone. Nobody on shift in the store: the call is left unassigned, on the
manager's queue. A call under way (`in_progress`) is left to the agent making it. Each handover is audited.

Their open calls about a case (`CaseCall`, ADR 0012) follow the case: crm has handed the agent's open cases on before
the signal, so each goes to its case's assignee, with its attempts, unless that agent is on the phone about it now.
"""

from django.db import transaction
from django.utils import timezone

from callbacks.models import CALL_CHANNELS, CaseCall, FollowUp, FollowUpChannel
from crm.models import Agent, Case, Customer
from crm.services.audit import audit_record

from .capacity import CallCapacity
from .rows import customers_set_dedicated_owner

# Why the call changed hands, as the audit entry stores it (crm.readable.HANDOVER_REASONS says it in words).
LEFT_STORE = "assignee_left_store"


@transaction.atomic
def followups_hand_over(*, agent_id: int, store_ids: list[int], now=None) -> list[FollowUp]:
    """Hand the agent's planned calls still to come in these stores to someone still serving them (see the module).
    Returns the follow-ups handed on. Idempotent: a second call finds none of theirs left there."""
    now = now or timezone.now()
    calls = list(
        FollowUp.objects.select_for_update(of=("self",))
        .filter(
            assignee_id=agent_id,
            store_id__in=store_ids,
            channel__in=CALL_CHANNELS,
            status=FollowUp.Status.PLANNED,
            window_end__gt=now,
        )
        .select_related("store")
        .order_by("window_start", "id")
    )
    if not calls:
        return []
    # The customers' rows are locked as planning locks them (id order), so an owner is never chosen twice at once.
    customer_ids = sorted({call.customer_id for call in calls if call.channel == FollowUpChannel.DEDICATED})
    owners = dict(
        Customer.objects.select_for_update()
        .filter(id__in=customer_ids)
        .order_by("id")
        .values_list("id", "dedicated_owner_id")
    )
    capacity = CallCapacity(store_ids=set(store_ids))
    new_owners: dict[int, int] = {}
    for call in calls:
        window = (call.window_start, call.window_end)
        dedicated = call.channel == FollowUpChannel.DEDICATED
        owner = owners.get(call.customer_id) if dedicated else None
        if owner != agent_id and capacity.serves(store_id=call.store_id, agent_id=owner):
            successor = owner  # the customer's owner still serves the store: their customer stays theirs
        else:
            successor = capacity.least_loaded(store_id=call.store_id, window=window, with_room=False)
            if dedicated and successor is not None:
                owners[call.customer_id] = new_owners[call.customer_id] = successor
        if successor is not None:
            capacity.take(agent_id=successor, window=window)
        call.assignee_id = successor
        call.save(update_fields=["assignee", "updated_at"])
        audit_record(
            actor=None,
            action="followup.reassigned",
            store=call.store,
            target=f"followup:{call.pk}",
            data={"from_agent_id": agent_id, "to_agent_id": successor, "why": LEFT_STORE},
        )
    customers_set_dedicated_owner(new_owners)
    return calls


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
    serving = set(Agent.objects.filter(stores__in=store_ids, user__is_active=True).values_list("stores", "id"))
    handed = []
    for case_call in case_calls:
        successor = case_call.case.assignee_id
        if (case_call.store_id, successor) not in serving or case_call.is_on_the_phone():
            continue
        case_call.assignee_id = successor
        case_call.save(update_fields=["assignee", "updated_at"])
        audit_record(
            actor=None,
            action="case_call.reassigned",
            store=case_call.store,
            target=f"case_call:{case_call.pk}",
            data={"from_agent_id": agent_id, "to_agent_id": successor, "why": LEFT_STORE},
        )
        handed.append(case_call)
    return handed
