"""How crm tells the other apps about events, without importing them.

Signals are sent explicitly from service functions, inside their transaction, never from model save().
Receivers (callbacks, reviews) connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent once per call of crm.services.orders.orders_mark_delivered, inside its transaction, with every order
# delivered for the first time by it (a repeated event is left out, so there is no "first" flag).
# kwargs: deliveries (list of (Order, aware datetime)), in order id order; never empty.
orders_delivered = Signal()

# Sent by crm.services.cases.case_open after a case is created. kwargs: case (Case)
case_opened = Signal()
