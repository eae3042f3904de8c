import heapq

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from crm.models import Agent, Case, CasePolicy, Store


def agents_with_fewest_open_cases(agents: QuerySet[Agent], *, count: int) -> list[Agent | None]:
    """For `count` cases in turn, the agent of `agents` with the fewest open cases, counting the ones given before
    (ties to the longest-standing agent); None for each when `agents` is empty."""
    loads = [
        (agent.open_cases, agent.pk, agent)
        for agent in agents.annotate(open_cases=Count("cases", filter=Q(cases__status__in=Case.OPEN_STATUSES)))
    ]
    if not loads:
        return [None] * count
    heapq.heapify(loads)
    chosen = []
    for _ in range(count):
        load, pk, agent = loads[0]
        chosen.append(agent)
        heapq.heapreplace(loads, (load + 1, pk, agent))
    return chosen


@transaction.atomic
def case_pick_assignees(*, store: Store, count: int) -> list[Agent | None]:
    """The on-shift agents serving the store for `count` cases opened now, in turn, by the store's policy; None
    for each when nobody is on shift. Picking many at once gives what picking them one case at a time would.

    Least loaded (the default): fewest open cases, ties to the longest-standing agent. Round robin: the
    agent after the one who got the store's last case, in a fixed order; the policy row is locked so two
    cases opened at once go to two agents.
    """
    # On shift in this store: the shift is each store's own (ADR 0045).
    agents = Agent.objects.filter(memberships__store=store, memberships__on_shift=True, user__is_active=True)
    policy = CasePolicy.objects.select_for_update().filter(store=store).first()
    if policy is None or policy.assignment == CasePolicy.Assignment.LEAST_LOADED:
        return agents_with_fewest_open_cases(agents, count=count)
    ordered = list(agents.order_by("id"))
    if not ordered:
        return [None] * count
    after = next((i for i, agent in enumerate(ordered) if agent.pk > (policy.last_assigned_id or 0)), 0)
    chosen = [ordered[(after + k) % len(ordered)] for k in range(count)]
    if chosen:
        policy.last_assigned = chosen[-1]
        policy.save(update_fields=["last_assigned"])
    return chosen
