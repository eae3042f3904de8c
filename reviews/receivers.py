"""What reviews hears from crm (crm.signals), connected in ReviewsConfig.ready()."""

import logging
from collections import defaultdict
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

from crm.models import CaseEvent
from crm.services.ingestion.inputs import OrderInput
from crm.signals import case_event_added, orders_upserted

from .services.bad_review import apology_call_tick_from_event

logger = logging.getLogger(__name__)


def _on_case_event(sender, *, event: CaseEvent, **kwargs) -> None:
    if event.kind == CaseEvent.Kind.CALL:
        apology_call_tick_from_event(event=event)


def link_reviews_to_new_orders(sender, *, orders, **_kwargs) -> None:
    """crm.signals.orders_upserted: the batch's new orders, by store, go to reviews.link_orders once the batch
    commits, which links the reviews that came before them (reviews.services.order_link). The order path is a
    measured hot path (ADR 0010): this reads nothing and queues one message per store of a batch that created
    orders."""
    created: dict[int, list[str]] = defaultdict(list)
    for order, result in orders:
        if result.created:
            created[order.store_id].append(order.external_id)
    for store_id, numbers in created.items():
        transaction.on_commit(partial(_enqueue_link, store_id, numbers))


def _enqueue_link(store_id: int, numbers: list[str]) -> None:
    from .tasks import link_orders

    try:
        # One attempt, no retries: with the broker down the orders are stored and answered at once (a publish's own
        # retries held each order request ~6 s), and the hourly reviews.link_waiting sweep links their reviews
        # (ADR 0020: a Redis outage never stops the order API).
        with link_orders.app.pool.acquire(block=True) as connection:
            connection.ensure_connection(max_retries=0)
            link_orders.apply_async(
                (store_id, numbers), connection=connection, retry=False, argsrepr=f"({store_id}, {len(numbers)} orders)"
            )
    except OperationalError as exc:
        logger.warning("reviews.link_orders not queued (%s); the hourly sweep links the reviews", exc)


def connect() -> None:
    case_event_added.connect(_on_case_event, dispatch_uid="reviews.apology_call_from_case_event")
    orders_upserted.connect(link_reviews_to_new_orders, sender=OrderInput, dispatch_uid="reviews.link_new_orders")
