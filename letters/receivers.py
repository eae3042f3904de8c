"""How letters hears about crm's events, connected in LettersConfig.ready() (crm imports none of this).

A customer's new language reaches their letters not yet printed (ADR 0052) from the two places it changes: an agent's
profile edit and the order system's batch. Should the store have no way to write such a letter again (a template of
the new language that needs a signer the rule has lost, every wording of the day taken), the change is not refused
for it: the letter stays as it is, and the next "Add today's new orders to the batch" (letters_prepare) writes it
again or says why it cannot.
"""

import logging
from collections.abc import Callable

from django.db import transaction

from crm.errors import DomainError

from .models import Letter
from .services import letters_follow_customer_language

logger = logging.getLogger(__name__)


def _follow(letters) -> None:
    try:
        with transaction.atomic():
            letters_follow_customer_language(letters=letters)
    except DomainError as error:
        logger.warning("letters not written again in the customer's new language: %s", error.code)


def follow_the_customers_language(sender, *, customer, fields, **_kwargs) -> None:
    """crm.signals.customer_profile_changed: an agent gave the customer another language."""
    if "language" in fields:
        _follow(Letter.objects.filter(customer_id=customer.pk))


def follow_the_languages_the_order_system_sent(sender, *, orders, **_kwargs) -> Callable[[], None] | None:
    """crm.signals.orders_upserted: a batch whose customers carry a language (absent or blank keeps the stored one,
    so a batch without one changes none). Run once the customers are stored; their letters are found through the
    (store, external id) index, the few not yet printed whose customer's language is not the one they were written
    for are written again, and a batch re-sent as it was finds none."""
    named = {
        (order.customer.store_id, order.customer.external_id) for order, _result in orders if order.customer.language
    }
    if not named:
        return None
    stores, external_ids = {store for store, _ in named}, {external_id for _, external_id in named}
    # A superset of the named customers (any store of the batch with any of its external ids): it does no harm, as
    # every letter it finds is brought to its own customer's language.
    return lambda: _follow(Letter.objects.filter(customer__store_id__in=stores, customer__external_id__in=external_ids))
