"""Set-based writes for planning and dispatch: many follow-ups in one statement, many dedicated owners in one.

Planning a busy evening writes tens of thousands of rows inside one transaction; building a Django model per
row and letting bulk_create prepare each field costs more than the rest of planning together, so the rows go
through crm.bulk (ADR 0019).
"""

from collections.abc import Mapping
from typing import Any

from callbacks.models import ContactLog, FollowUp
from crm import bulk
from crm.models import Customer


def followups_insert(rows: list[dict[str, Any]]) -> list[int]:
    """Insert follow-ups given as {attname: value}, all with the same keys. Returns their ids, in order."""
    return bulk.copy_rows(FollowUp, rows, ids=True)


def customers_set_dedicated_owner(owners: dict[int, int]) -> None:
    """{customer id: agent id} in one statement."""
    bulk.update_rows(Customer, list(owners.items()), fields=["dedicated_owner_id"])


def followups_set_merged_into(merged: Mapping[int, int]) -> None:
    """{id of a contact no longer live (merged away, withdrawn, closed): the id of the contact that covers it now}, in
    two statements: each row, and every row merged into it, point at that contact. The one writer of `merged_into`
    for rows already written (ADR 0051): a suppressed row points at the contact that covers it in the end, never at a
    contact merged away in turn, so a reader (the call panel's orders, `merged.followups_cover_merged`) looks one
    level down, and no writer has to remember to move what hung below what it merged. The caller holds the rows'
    customers (ADR 0037)."""
    covers = dict(merged)
    if not covers:
        return
    below = FollowUp.objects.filter(merged_into_id__any_of=covers.keys()).values_list("id", "merged_into_id")
    covers |= {pk: covers[parent] for pk, parent in below if pk not in covers and pk != covers[parent]}
    bulk.update_rows(FollowUp, list(covers.items()), fields=["merged_into_id"])


def followups_set(*, rows: list[FollowUp], fields: list[str], sending_since: dict[int, Any] | None = None) -> None:
    rows_set(model=FollowUp, rows=rows, fields=fields, sending_since=sending_since)


def rows_set(*, model: type, rows: list, fields: list[str], sending_since: dict[int, Any] | None = None) -> None:
    """Write each row's `fields` (its current attribute values) in one statement; any SMS queue's model
    (callbacks.services.dispatch.SmsQueue) can be written so.

    With `sending_since` ({id: claimed_at}) a row is only written while it is still `sending` under that
    claim, so a status callback that already recorded the send is never overwritten.
    """
    values = [(row.pk, *(getattr(row, name) for name in fields)) for row in rows]
    if sending_since is None:
        bulk.update_rows(model, values, fields=fields)
        return
    claims = [(*value, FollowUp.Status.SENDING.value, sending_since[value[0]]) for value in values]
    bulk.update_rows(model, claims, fields=fields, match=["status", "claimed_at"])


# The contact ledger's columns, in the order `contacts_insert` takes each row's values.
CONTACT_COLUMNS = ("store_id", "customer_id", "order_id", "channel", "purpose", "at", "source")


def contacts_insert(values: list[tuple]) -> None:
    """Ledger rows (tuples in CONTACT_COLUMNS order) in one statement: a dispatch batch writes its 100 contacts in
    the claim's transaction, where building a model per row cost more than the claim itself."""
    bulk.copy_rows(ContactLog, [dict(zip(CONTACT_COLUMNS, value, strict=True)) for value in values])
