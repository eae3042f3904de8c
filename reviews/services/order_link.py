"""Reviews that came before their order, linked when the order comes.

A platform's review feed is often faster than the order system: a review naming order TM-1 arrives, TM-1 is not
stored yet, so the review keeps the number (`order_ref`) and has no order, no customer, no case, and is triaged as
"no matching order". The minute sweep `reviews.link_waiting` (beat) finds the stores with a waiting review whose
order is stored now, through the partial index `review_waiting_for_order`, links those reviews and triages them again
with the order known; the case sweeper then opens a mid or bad one's case with its customer and order (ADR 0008).
The order path itself does nothing for it (ADR 0010: no query, no message per batch), so an order batch is as fast,
and a broker outage loses nothing: the next sweep after it links what came meanwhile.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from crm.models import Order, Store

from ..models import Review
from .intake import Assessor, orders_and_complaints
from .public_reply import reply_drafts_redo

# What the partial index review_waiting_for_order holds: a review naming an order we did not have when it came.
WAITING_FOR_ORDER = Q(order__isnull=True) & ~Q(order_ref="")
_LINKED_FIELDS = ["order", "customer", "monitor_hits", "flagged", "triage_group", "triage_reasons",
                  "suspected_malicious", "updated_at"]  # fmt: skip


@transaction.atomic
def reviews_link_orders(*, store: Store) -> int:
    """Link the store's reviews waiting for an order now stored to it, with its customer, and triage them again.
    Returns how many were linked; a second run finds none.

    The reviews are locked (id order, as intake locks them): a push of the same review at the same moment either
    comes first and links it itself, or waits and finds it linked. Earlier complaints are counted as intake
    counts them: these reviews had no customer, so none counts against itself.
    """
    waiting = Review.objects.select_for_update(of=("self",)).filter(WAITING_FOR_ORDER, store=store)
    reviews = list(waiting.order_by("pk"))
    orders, complaints = orders_and_complaints(store=store, refs={review.order_ref for review in reviews})
    assessor = Assessor(store=store, orders=orders, complaints=complaints)
    linked, now = [], timezone.now()
    for review in reviews:
        if (order := orders.get(review.order_ref)) is None:
            continue
        review.order_id, review.customer_id, review.updated_at = order.id, order.customer_id, now
        assessor.apply(review, reclassify=False)
        linked.append(review)
    Review.objects.bulk_update(linked, _LINKED_FIELDS)
    # The draft made when the review came knew no order (a neutral one, for a review then suspected malicious).
    reply_drafts_redo(store=store, reviews=linked)
    return len(linked)


def reviews_link_waiting() -> int:
    """The sweep behind the task: every store with a waiting review whose order is stored now. Returns how many
    reviews were linked."""
    order_now_stored = Exists(Order.objects.filter(store_id=OuterRef("store_id"), external_id=OuterRef("order_ref")))
    store_ids = (
        Review.objects.filter(WAITING_FOR_ORDER).filter(order_now_stored).values_list("store_id", flat=True).distinct()
    )
    stores = Store.objects.filter(pk__in=list(store_ids)).order_by("pk")
    return sum(reviews_link_orders(store=store) for store in stores)
