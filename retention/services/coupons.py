"""Coupon redemption, marked where it is learned: when an order carrying a code comes in, and when a campaign's
pool is created (an order may carry a code already). Pages only read the mark (retention.results)."""

from collections.abc import Iterable

from django.db import transaction

from crm import bulk
from crm.models import Order

from ..models import Coupon


@transaction.atomic
def coupons_redeem(*, store_id: int, codes: Iterable[str]) -> int:
    """Mark the store's coupons with these codes, not yet redeemed, as redeemed by the first order (placed first)
    that carries the code; how many were marked. A redeemed coupon keeps its order: safe to run again.

    The coupons are locked first, so of two batches carrying one code at once, the second waits and finds the
    coupon redeemed by the first."""
    codes = {code for code in codes if code}
    if not codes:
        return 0
    coupons = list(
        Coupon.objects.select_for_update(of=("self",))
        .filter(campaign__store_id=store_id, code__in=codes, redeemed_order__isnull=True)
        .order_by("pk")
        .values_list("pk", "code")
    )
    if not coupons:
        return 0
    first: dict[str, int] = {}
    for code, order_id in (
        Order.objects.filter(store_id=store_id, coupon_code__in={code for _pk, code in coupons})
        .order_by("placed_at", "pk")
        .values_list("coupon_code", "pk")
    ):
        first.setdefault(code, order_id)
    marks = [(pk, first[code]) for pk, code in coupons if code in first]
    bulk.update_rows(Coupon, marks, fields=["redeemed_order_id"])
    return len(marks)
