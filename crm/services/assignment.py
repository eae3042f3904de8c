from django.db import transaction
from django.db.models import Count, Q

from crm.models import Agent, Case, CasePolicy, Store


@transaction.atomic
def case_pick_assignee(*, store: Store) -> Agent | None:
    """The next on-shift agent serving the store, by the store's policy; None when nobody is on shift.

    Least loaded (the default): fewest open cases, ties to the longest-standing agent. Round robin: the
    agent after the one who got the store's last case, in a fixed order; the policy row is locked so two
    cases opened at once go to two agents.
    """
    agents = Agent.objects.filter(stores=store, user__is_active=True, on_shift=True)
    policy = CasePolicy.objects.select_for_update().filter(store=store).first()
    if policy is None or policy.assignment == CasePolicy.Assignment.LEAST_LOADED:
        return (
            agents.annotate(open_cases=Count("cases", filter=Q(cases__status__in=Case.OPEN_STATUSES)))
            .order_by("open_cases", "id")
            .first()
        )
    ordered = agents.order_by("id")
    chosen = None
    if policy.last_assigned_id is not None:
        chosen = ordered.filter(id__gt=policy.last_assigned_id).first()
    chosen = chosen or ordered.first()
    if chosen is not None:
        policy.last_assigned = chosen
        policy.save(update_fields=["last_assigned"])
    return chosen
