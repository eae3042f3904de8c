"""The currencies a store, an order, a remedy or a follow-up policy may be in: ISO 4217's active codes.

Read from pycountry, which carries ISO 4217's list one (current currency and funds codes) as Debian's iso-codes keep
it, so a code the Maintenance Agency adds or withdraws arrives with an upgrade. Two entries of that list are left out
because they name no money: XTS (reserved for testing) and XXX ("no currency"). A code withdrawn from the list (HRK,
ANG, ZWL, SLL ...) is refused for new input, while rows saved with one keep it (ADR 0036).
"""

import pycountry

ISO_4217_ACTIVE = frozenset(currency.alpha_3 for currency in pycountry.currencies) - {"XTS", "XXX"}
