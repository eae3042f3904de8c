"""Four eyes on a remedy above the agent's limit (ADR 0038).

The store's agent limit is what one person may promise alone; above it a manager approves. A manager who proposed
the remedy themselves (or who sent the case to the managers' decision and now decides it) is no second pair of eyes:
while another active manager serves the store, that manager approves it. The store's only manager approves their own,
and the remedy says so (`Remedy.self_approved`), on the case's timeline, in the audit log and wherever the approval is
shown, so the owner, an operator or a manager who joins later sees every approval nobody else looked at. Declining
(or the platform's dispute process) pays nothing out and needs no second manager.
"""

from crm.errors import OwnRemedyApproval
from crm.models import Agent, Store
from crm.selectors import store_ids_with_another_manager


def approval_four_eyes(*, store: Store, manager: Agent, own: bool) -> bool:
    """Whether `manager`'s approval is a self-approval; `own` is whether they proposed it (or sent its case to the
    managers). Raises OwnRemedyApproval (403) when it is their own and another manager serves the store."""
    if not own:
        return False
    if store.pk in store_ids_with_another_manager(store_ids=[store.pk], user=manager.user):
        raise OwnRemedyApproval(field="remedy")
    return True
