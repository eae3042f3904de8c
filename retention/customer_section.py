"""The customer's campaign messages and return-visit calls, each with why it was held back, as a section of crm's
customer page. Registered in RetentionConfig.ready() through crm.casework (crm does not import retention)."""

from django.db.models.functions import Coalesce

from crm.casework import CustomerSection
from crm.models import Customer

from .models import CampaignContact
from .services.plan import reason_label

LIMIT = 20


def _context(*, customer: Customer, user) -> dict:
    # When it went out, else when it is to: a return visit's call at its task's window (which follows the store's
    # hours and zone), a message or a call not yet a task at its due time.
    rows = list(
        CampaignContact.objects.filter(customer=customer)
        .select_related("campaign")
        .only("campaign__name", "channel", "status", "excluded_reason", "due_at", "sent_at", "outcome", "replied_at")
        .annotate(when=Coalesce("sent_at", "call_task__window_start", "due_at"))
        .order_by("-when", "-id")[:LIMIT]
    )
    return {"contacts": [(row, reason_label(row.excluded_reason) if row.excluded_reason else "") for row in rows]}


CAMPAIGN_CONTACTS_SECTION = CustomerSection(
    name="campaign_contacts", template="retention/_customer_campaigns.html", context=_context, order=25
)
