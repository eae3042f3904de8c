"""Managers steer tonight's queue: reassign a call, edit the store's call script."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.errors import FollowUpClosed, FollowUpNotFound
from callbacks.models import CallScript, FollowUp
from callbacks.selectors import followups_for_user
from crm import roles
from crm.errors import InvalidInput, PermissionDenied
from crm.models import Agent, Store
from crm.services.audit import audit_record

SCRIPT_MAX_LENGTH = 4000


def _require_manager(*, manager: Agent, store: Store) -> None:
    if not roles.agent_manages_store(manager, store):
        raise PermissionDenied(_("Only a manager of this store can do this."))


@transaction.atomic
def followup_reassign(*, followup: FollowUp, manager: Agent, assignee: Agent) -> FollowUp:
    _require_manager(manager=manager, store=followup.store)
    locked = followups_for_user(user=manager.user).select_for_update(of=("self",)).filter(pk=followup.pk).first()
    if locked is None:
        raise FollowUpNotFound(followup_id=followup.pk)
    if locked.status in FollowUp.FINAL:
        raise FollowUpClosed(followup_id=locked.pk)
    if not assignee.user.is_active or not assignee.stores.filter(pk=locked.store_id).exists():
        raise InvalidInput(_("This agent does not serve the follow-up's store."), field="assignee")
    previous = locked.assignee_id
    if previous != assignee.pk:
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        audit_record(
            actor=manager.user,
            action="followup.reassigned",
            store=locked.store,
            target=f"followup:{locked.pk}",
            data={"from_agent_id": previous, "to_agent_id": assignee.pk},
        )
    return locked


@transaction.atomic
def call_script_update(*, store: Store, manager: Agent, body: str, case_body: str = "") -> CallScript:
    """Save the store's scripts; an empty `case_body` means the default script for calls about a case."""
    _require_manager(manager=manager, store=store)
    body, case_body = body.strip(), case_body.strip()
    if not body:
        raise InvalidInput(_("The script cannot be empty."), field="body")
    for field, text in (("body", body), ("case_body", case_body)):
        if len(text) > SCRIPT_MAX_LENGTH:
            raise InvalidInput(
                _("The script is limited to %(limit)d characters.") % {"limit": SCRIPT_MAX_LENGTH}, field=field
            )
    script, _created = CallScript.objects.update_or_create(
        store=store,
        defaults={"body": body, "case_body": case_body, "updated_by": manager, "updated_at": timezone.now()},
    )
    audit_record(actor=manager.user, action="call_script.updated", store=store, target=f"store:{store.pk}")
    return script
