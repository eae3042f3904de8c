"""An agent who stops serving a store (taken off it, or their login switched off) hands their open work there on.

Nobody else sees work assigned to someone else, and the agent no longer sees the store: what stayed theirs would
wait unseen until a call closed as missed or a case ran past its deadline. So the moment they leave, in the same
transaction, crm hands their open cases of those stores to the store's agent with the fewest open cases among those
still serving it (`crm.selectors.agents_serving`), or leaves them unassigned for the manager when nobody is left,
and sends `crm.signals.agent_left_stores`, on which each app hands on its own work (callbacks: planned calls still to
come, and open calls about the cases just handed on; retention: open gift tasks). What was done, or is under way,
stays as it was.
"""

from collections.abc import Iterable

from django.db import transaction

from crm.models import Agent, Case, CaseEvent, Store
from crm.selectors import agents_serving
from crm.signals import agent_left_stores

from .assignment import agents_with_fewest_open_cases
from .audit import audit_record
from .cases import case_add_event

# Why work changed hands, as stored on the timeline event and the audit entry (crm.readable.details says it in words).
LEFT_STORE = "assignee_left_store"


@transaction.atomic
def agent_leave_stores(*, agent_id: int, store_ids: Iterable[int]) -> None:
    """The agent no longer serves these stores (called once they are off them, or their login is switched off):
    their open cases there go to the store's least-loaded agent still serving it, else to nobody, each with a
    timeline event and an audit entry saying why; then `agent_left_stores` is sent. Cases of other stores, and
    cases already closed, are untouched. Idempotent: a second call finds nothing of theirs left to hand on."""
    store_ids = sorted(set(store_ids))
    if not store_ids:
        return
    leaver = Agent.objects.select_related("user").filter(pk=agent_id).first()
    if leaver is None:
        return
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(assignee_id=agent_id, store_id__in=store_ids, status__in=Case.OPEN_STATUSES)
        .select_related("store")
        .order_by("store_id", "id")
    )
    by_store: dict[int, list[Case]] = {}
    for case in cases:
        by_store.setdefault(case.store_id, []).append(case)
    for store_cases in by_store.values():
        _hand_over(leaver=leaver, store=store_cases[0].store, cases=store_cases)
    agent_left_stores.send(sender=Agent, agent_id=agent_id, store_ids=store_ids)


def _hand_over(*, leaver: Agent, store: Store, cases: list[Case]) -> None:
    """Each case to the agent of the store with the fewest open cases at that moment (ties: the lowest id)."""
    successors = agents_with_fewest_open_cases(agents_serving(store=store).exclude(pk=leaver.pk), count=len(cases))
    for case, successor in zip(cases, successors, strict=True):
        case.assignee = successor
        case.save(update_fields=["assignee"])
        handover = {"from": str(leaver), "to": str(successor or ""), "why": LEFT_STORE}
        case_add_event(case=case, kind=CaseEvent.Kind.ASSIGNED, data=handover)
        audit_record(actor=None, action="case_handed_over", store=store, target=f"case #{case.pk}", data=handover)
