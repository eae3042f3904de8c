"""What the rules read about a customer, as plain values."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from callbacks.models import NumberOptOut
from crm.models import Customer


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read about a customer: plain values, so a sweep of 100,000 stays cheap."""

    id: int
    phone: str
    contact_preference: str
    sms_opt_out: bool
    marketing_consent_at: datetime | None
    # The number the SMS would go to replied STOP to the customer's store (NumberOptOut).
    number_opted_out: bool = False
    store_id: int = 0


_FACT_FIELDS = ("id", "phone", "contact_preference", "sms_opt_out", "marketing_consent_at")


def facts_read(customers) -> list[Facts]:
    """The customers' facts in one query; whether their phone opted out of their store's SMS is asked inside it
    (ADR 0049)."""
    opted_out = NumberOptOut.objects.filter(store_id=OuterRef("store_id"), phone=OuterRef("phone"), opted_out=True)
    rows = customers.annotate(phone_opted_out=Exists(opted_out))
    return [Facts(*row) for row in rows.values_list(*_FACT_FIELDS, "phone_opted_out", "store_id").order_by()]


def facts_of(customer: Customer) -> Facts:
    return Facts(*(getattr(customer, name) for name in _FACT_FIELDS))
