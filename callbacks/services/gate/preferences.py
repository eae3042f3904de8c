"""The rule data the gate owns: writes of the customer's wishes that change what it answers."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from callbacks.models import ContactChannel, ContactPurpose
from crm.models import Agent, Customer
from crm.services.customers import customer_update_profile

from .facts import facts_of
from .standing import standing_refusal


def customer_stop_calls(*, customer: Customer, agent: Agent) -> None:
    """The customer asked not to be called: a recorded profile change, unless their wish already rules calls out."""
    if standing_refusal(facts_of(customer), ContactChannel.CALL, ContactPurpose.CARE) is None:
        customer_update_profile(
            customer=customer, actor=agent.user, changes={"contact_preference": Customer.ContactPreference.NO_CALLS}
        )


@transaction.atomic
def customers_opt_out_sms(*, customer_ids: Iterable[int], opted_out: bool = True) -> list[int]:
    """Record an SMS opt-out (a STOP reply, a provider's 21610) or its withdrawal (START). A customer already in that
    state is left as they are (a second STOP writes nothing). Returns the ids of the customers changed, for the caller
    to say why in their history (services.opt_out_history).

    An opt-out also refuses marketing calls (rule 4): the customer's return visits already waiting for an agent are
    withdrawn in this transaction, with the reason (`wishes.calls_withdraw_refused`). START lifts the refusal for what
    comes later; a call withdrawn stays withdrawn."""
    # services.wishes asks the gate; imported here so that the two can see each other.
    from ..wishes import calls_withdraw_refused

    ids = list(customer_ids)
    if not ids:
        return []
    changed = list(
        Customer.objects.select_for_update(of=("self",), no_key=True)  # ADR 0037: rows naming them still go in
        .filter(pk__in=ids)
        .exclude(sms_opt_out=opted_out)
        .select_related("store")
        .order_by("pk")
    )
    Customer.objects.filter(pk__in=[c.pk for c in changed]).update(sms_opt_out=opted_out, updated_at=timezone.now())
    if opted_out:
        for customer in changed:
            customer.sms_opt_out = True
            calls_withdraw_refused(customer=customer)
    return [customer.pk for customer in changed]
