"""The letters and parcel cards a customer was sent, as a section of crm's customer page. Registered in
LettersConfig.ready() through crm.casework (crm does not import letters)."""

from crm.casework import CustomerSection
from crm.models import Customer

from .selectors import letters_for_customer

LIMIT = 20


def _context(*, customer: Customer, user) -> dict:
    return {"letters": list(letters_for_customer(customer_id=customer.pk)[:LIMIT])}


LETTERS_SECTION = CustomerSection(name="letters", template="letters/_customer_letters.html", context=_context, order=30)
