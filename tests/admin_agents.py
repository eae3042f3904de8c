"""The admin's agent page as a browser posts it: the stores served are an inline of rows, each with its role, shift and
evening capacity (ADR 0045)."""

from crm.models import Agent, StoreRole

PREFIX = "memberships"


def memberships_form(agent: Agent | None, stores=None, roles: dict | None = None, shifts: dict | None = None) -> dict:
    """The inline's fields: each store of `stores` (ids; None: those served now) kept or added, in its role now or as
    `roles` ({store id: role}) says, a new one as an agent; its shift and capacity as they are now, or as `shifts`
    ({store id: {"on_shift": bool, "evening_capacity": int}}) says, a new one's as the model's defaults (off shift, 20);
    every store served now and not in `stores` deleted."""
    roles, shifts = roles or {}, shifts or {}
    rows = list(agent.memberships.order_by("pk")) if agent is not None and agent.pk else []
    wanted = [row.store_id for row in rows] if stores is None else [int(s) for s in stores]
    data = {}
    index = 0

    def shift_fields(store_id, on_shift=False, evening_capacity=20) -> dict:
        shift = {"on_shift": on_shift, "evening_capacity": evening_capacity} | shifts.get(store_id, {})
        return {"evening_capacity": shift["evening_capacity"]} | ({"on_shift": "on"} if shift["on_shift"] else {})

    for row in rows:
        fields = {"id": row.pk, "agent": agent.pk, "store": row.store_id, "role": roles.get(row.store_id, row.role)}
        fields |= shift_fields(row.store_id, row.on_shift, row.evening_capacity)
        if row.store_id not in wanted:
            fields["DELETE"] = "on"
        data |= {f"{PREFIX}-{index}-{name}": value for name, value in fields.items()}
        index += 1
    for store_id in wanted:
        if any(row.store_id == store_id for row in rows):
            continue
        fields = {"store": store_id, "role": roles.get(store_id, StoreRole.AGENT)} | shift_fields(store_id)
        data |= {f"{PREFIX}-{index}-{name}": value for name, value in fields.items()}
        index += 1
    management = {"TOTAL_FORMS": index, "INITIAL_FORMS": len(rows), "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
    return data | {f"{PREFIX}-{name}": value for name, value in management.items()}
