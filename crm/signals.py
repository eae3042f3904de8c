"""How crm tells the other apps about events, without importing them.

Signals are sent explicitly from service functions, inside their transaction, never from model save().
Receivers (callbacks, reviews) connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent by crm.services.orders.orders_mark_delivered inside its transaction, only for an order's first delivery
# (a repeated event sends nothing, so there is no "first" flag). kwargs: order (Order), event_at (aware datetime)
order_delivered = Signal()

# Sent by crm.services.cases.case_open after a case is created. kwargs: case (Case)
case_opened = Signal()
