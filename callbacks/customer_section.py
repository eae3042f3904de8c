"""Every follow-up contact with the customer (care SMS, evening calls, with their outcome), as a section of crm's
customer page. Registered in CallbacksConfig.ready() through crm.casework (crm does not import callbacks)."""

from crm.casework import CustomerSection
from crm.models import Customer

from .models import OUTCOME_LABELS, FollowUp

LIMIT = 50


def _context(*, customer: Customer, user) -> dict:
    followups = list(
        FollowUp.objects.filter(customer=customer).select_related("order").order_by("-window_start", "-id")[:LIMIT]
    )
    return {"followups": [(followup, OUTCOME_LABELS.get(followup.outcome, "")) for followup in followups]}


CONTACTS_SECTION = CustomerSection(
    name="followups", template="callbacks/_customer_contacts.html", context=_context, order=20
)
