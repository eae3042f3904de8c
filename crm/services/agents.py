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
from crm.signals import agent_leaving_stores, agent_left_stores

from .assignment import agents_with_fewest_open_cases
from .audit import audit_record
from .cases import case_add_event
from .locks import customers_lock

# Why work changed hands, as stored on the timeline event and the audit entry (crm.readable.details says it in words).
LEFT_STORE = "assignee_left_store"


@transaction.atomic
def agent_leave_stores(*, agent_id: int, store_ids: Iterable[int]) -> None:
    """The agent no longer serves these stores (called once they are off them, or their login is switched off):
    their open cases there go to the store's least-loaded agent still serving it, else to nobody, each with a
    timeline event and an audit entry saying why; then `agent_left_stores` is sent. Cases of other stores, and
    cases already closed, are untouched. Idempotent: a second call finds nothing of theirs left to hand on. The
    customers of what is handed on, crm's and the apps' (`agent_leaving_stores`), are locked first (ADR 0037)."""
    store_ids = sorted(set(store_ids))
    if not store_ids:
        return
    leaver = Agent.objects.select_related("user").filter(pk=agent_id).first()
    if leaver is None:
        return
    _lock_customers(agent_id=agent_id, store_ids=store_ids)
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


class _CustomerNotHeld(Exception):
    """Work given to the agent after its customers were locked: the round's locks are let go (its savepoint)."""


def _customers_of_their_work(*, agent_id: int, store_ids: list[int]) -> set[int]:
    """The customers of the agent's open cases in these stores, and those the apps' handovers will lock
    (`agent_leaving_stores`)."""
    ids = set(
        Case.objects.filter(assignee_id=agent_id, store_id__in=store_ids, status__in=Case.OPEN_STATUSES).values_list(
            "customer_id", flat=True
        )
    )
    for _receiver, answer in agent_leaving_stores.send(sender=Agent, agent_id=agent_id, store_ids=store_ids):
        ids.update(answer or ())
    return ids


def _lock_customers(*, agent_id: int, store_ids: list[int]) -> None:
    """The customers before the cases, and before the apps' handovers lock them (ADR 0037: customers first, then their
    cases and follow-ups), all in one id-ordered statement, as planning locks them: a case is never held while its
    customer is waited on (opening a case's call, a customer's answer, take the customer, then the case), nor a
    customer waited on while one with a higher id is held. Work given to the agent after the customers were read (a
    delivery planned meanwhile) has a customer the statement did not lock: that round's locks are let go (rolled back
    to its savepoint, which in PostgreSQL releases the rows it locked) and every customer is locked again, the new one
    among them, until a round finds none left."""
    ids = _customers_of_their_work(agent_id=agent_id, store_ids=store_ids)
    while True:
        try:
            with transaction.atomic():
                customers_lock(ids)
                if new := _customers_of_their_work(agent_id=agent_id, store_ids=store_ids) - ids:
                    raise _CustomerNotHeld
                return
        except _CustomerNotHeld:
            ids |= new


def _hand_over(*, leaver: Agent, store: Store, cases: list[Case]) -> None:
    """Each case to the agent of the store with the fewest open cases at that moment (ties: the lowest id)."""
    successors = agents_with_fewest_open_cases(agents_serving(store=store).exclude(pk=leaver.pk), count=len(cases))
    for case, successor in zip(cases, successors, strict=True):
        case.assignee = successor
        case.save(update_fields=["assignee"])
        handover = {"from": str(leaver), "to": str(successor or ""), "why": LEFT_STORE}
        case_add_event(case=case, kind=CaseEvent.Kind.ASSIGNED, data=handover)
        audit_record(actor=None, action="case_handed_over", store=store, target=f"case #{case.pk}", data=handover)
