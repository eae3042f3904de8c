"""Set-based writes for planning and dispatch: many follow-ups in one statement, many dedicated owners in one.

Planning a busy evening writes tens of thousands of rows inside one transaction; building a Django model per
row and letting bulk_create prepare each field costs more than the rest of planning together, so the rows go
through crm.bulk (ADR 0014).
"""

from typing import Any

from callbacks.models import FollowUp
from crm import bulk
from crm.models import Customer


def followups_insert(rows: list[dict[str, Any]]) -> list[int]:
    """Insert follow-ups given as {attname: value}, all with the same keys. Returns their ids, in order."""
    return bulk.copy_rows(FollowUp, rows, ids=True)


def customers_set_dedicated_owner(owners: dict[int, int]) -> None:
    """{customer id: agent id} in one statement."""
    bulk.update_rows(Customer, list(owners.items()), fields=["dedicated_owner_id"])


def followups_set(*, rows: list[FollowUp], fields: list[str], sending_since: dict[int, Any] | None = None) -> None:
    """Write each row's `fields` (its current attribute values) in one statement.

    With `sending_since` ({id: claimed_at}) a row is only written while it is still `sending` under that
    claim, so a status callback that already recorded the send is never overwritten.
    """
    values = [(row.pk, *(getattr(row, name) for name in fields)) for row in rows]
    if sending_since is None:
        bulk.update_rows(FollowUp, values, fields=fields)
        return
    claims = [(*value, FollowUp.Status.SENDING.value, sending_since[value[0]]) for value in values]
    bulk.update_rows(FollowUp, claims, fields=fields, match=["status", "claimed_at"])
