"""The language a text the system writes to a customer is in: one rule for every app that writes to customers.

The customer's own language (`Customer.language`) when they have one; else the language the store writes that kind
of text in, which each app keeps in its own setting: the follow-up policy's SMS language for the care SMS and the
parcel notices (callbacks.services.messages.message_language), the letter rule's language for a thank-you letter
(letters.services). docs/architecture.md, "Languages"; ADR 0052.
"""

from crm.models import Customer


def language_for_customer(*, customer: Customer | None, store_language: str) -> str:
    """`customer`'s own language when set, else `store_language` (also when there is no customer)."""
    if customer is not None and customer.language:
        return customer.language
    return store_language
