"""What an agent may do about a refusal: call anyway outside the call hours, audited."""

from django.db import transaction
from django.utils import timezone

from callbacks.errors import OverrideNotAllowed
from callbacks.models import ContactChannel
from crm.models import Agent, Customer
from crm.services.audit import audit_record
from crm.timezones import to_store_local

from .decisions import ALLOWED, ContactDecision


@transaction.atomic
def contact_override(
    *, decision: ContactDecision, customer: Customer, channel: str, purpose: str, agent: Agent, subject: str
) -> ContactDecision:
    """An agent calls anyway outside the store's call hours: allowed only for a refusal about the hour, only on a
    call, and written to the audit log with who, whom, the customer's local time and the refusal overridden."""
    if decision.allowed:
        return decision
    if channel != ContactChannel.CALL or not decision.only_the_hour:
        raise OverrideNotAllowed(decision.detail or None, reason=decision.reason)
    local = to_store_local(timezone.now(), customer.store)
    audit_record(
        actor=agent.user,
        action="contact.override",
        store=customer.store,
        target=subject,
        data={
            "customer_id": customer.pk,
            "channel": channel,
            "purpose": purpose,
            "reason": decision.reason,
            "customer_local_time": local.isoformat(timespec="minutes"),
        },
    )
    return ALLOWED
