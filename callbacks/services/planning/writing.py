"""The plans written as FollowUp rows, each merged one pointing at the contact that covers it in the end."""

from ..rows import customers_set_dedicated_owner, followups_insert, followups_set_merged_into
from .plans import Plan
from .schedule import window_for


def _covered_by(plan: Plan, replaced_by: dict[int, Plan]) -> "Plan | int | None":
    """The contact that covers a merged plan's delivery in the end: a plan of this call, or the id of an existing
    contact that stays (following a contact it was merged into that a later plan replaced). None for a plan that is
    its own contact, or suppressed for a reason of its own."""
    node, covering = plan, None
    while True:
        if node.merged_with is not None:
            node = covering = node.merged_with
        elif node.merged_into_id in replaced_by:
            node = covering = replaced_by[node.merged_into_id]
        elif node.merged_into_id is not None:
            return node.merged_into_id
        else:
            return covering


def plans_write(plans: list[Plan], new_owners: dict[int, int]) -> list[int]:
    for plan in plans:
        if plan.window is None:  # suppressed: kept with its reason, on the window its tier would have had
            plan.place(window_for(plan, plan.tier))
    replaced_by = {pk: plan for plan in plans for pk in plan.replaces}
    covering = {id(plan): _covered_by(plan, replaced_by) for plan in plans}
    # Two rounds: a row merged into a contact of this same call needs that contact's id.
    first = [p for p in plans if not isinstance(covering[id(p)], Plan)]
    for group in (first, [p for p in plans if isinstance(covering[id(p)], Plan)]):
        rows = [p.as_row(getattr(covering[id(p)], "pk", covering[id(p)])) for p in group]
        for plan, pk in zip(group, followups_insert(rows), strict=True):
            plan.pk = pk
    if replaced_by:  # the contacts replaced, and what was merged into them before, point at what covers them now
        stays = {pk: covering[id(plan)] or plan for pk, plan in replaced_by.items()}
        followups_set_merged_into({pk: getattr(s, "pk", s) for pk, s in stays.items()})
    customers_set_dedicated_owner(new_owners)
    return [plan.pk for plan in plans]
