"""The caps (6): counted from the ledger, one grouped query for any number of customers."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from callbacks.models import ContactChannel, ContactLog, ContactPurpose, FollowUpPolicy, RefusalReason

from .decisions import ContactDecision, refuse


@dataclass(frozen=True, slots=True)
class Cap:
    limit: int
    per_order: bool  # counted per order (logistics), else per customer over `days`
    days: int | None = None


def cap_for(policy: FollowUpPolicy, channel: str, purpose: str) -> Cap | None:
    """Logistics caps messages per order; marketing caps a customer's contacts on every channel, messages and calls
    alike (ADR 0026). Care and case contacts are bounded by planning (one a day) and by the call attempts."""
    if purpose == ContactPurpose.LOGISTICS and channel == ContactChannel.SMS:
        return Cap(limit=policy.logistics_cap_per_order, per_order=True)
    if purpose == ContactPurpose.MARKETING:
        return Cap(limit=policy.marketing_cap, per_order=False, days=policy.marketing_cap_days)
    return None


def cap_usage(
    cap: Cap, channel: str, purpose: str, customer_ids: list[int], order_ids: Mapping[int, int], at: datetime
) -> dict[int, tuple[int, datetime | None]]:
    """{customer id: (contacts counted, the oldest counted one's time)} in one query."""
    ledger = ContactLog.objects.filter(purpose=purpose)
    wanted = {order_ids[c] for c in customer_ids if order_ids.get(c) is not None}
    if cap.per_order:
        if not wanted:
            return {}
        rows = (
            ledger.filter(channel=ContactChannel.SMS, order_id__in=wanted)
            .values("order_id")
            .annotate(n=Count("id"), first=Min("at"))
        )
        by_order = {row["order_id"]: (row["n"], row["first"]) for row in rows}
        return {c: by_order[order_ids[c]] for c in customer_ids if order_ids.get(c) in by_order}
    # Every message counts; a call counts once per order it was about (its attempts are one contact, bounded by the
    # store's maximum attempts), and a call's own earlier attempts do not hold it back.
    messages = Q(channel=ContactChannel.SMS)
    calls = Q(channel=ContactChannel.CALL)
    if channel == ContactChannel.CALL and wanted:
        calls &= ~Q(order_id__in=wanted)
    since = at - timedelta(days=cap.days)
    rows = (
        ledger.filter(messages | calls, customer_id__in=customer_ids, at__gt=since)
        .values("customer_id")
        .annotate(n=Count("id", filter=messages) + Count("order_id", filter=calls, distinct=True), first=Min("at"))
    )
    return {row["customer_id"]: (row["n"], row["first"]) for row in rows}


def capped(cap: Cap, used: tuple[int, datetime | None] | None) -> ContactDecision | None:
    count, first = used or (0, None)
    if count < cap.limit:
        return None
    if cap.per_order:
        detail = _("The store allows %(limit)d such messages per order; %(count)d were sent.") % {
            "limit": cap.limit,
            "count": count,
        }
        return refuse(RefusalReason.CAP_REACHED, detail)
    frees_at = first + timedelta(days=cap.days) if first is not None else None
    detail = _(
        "The store allows %(limit)d marketing contacts (messages or calls) per %(days)d days; %(count)d were made."
    ) % {
        "limit": cap.limit,
        "days": cap.days,
        "count": count,
    }
    return refuse(RefusalReason.CAP_REACHED, detail, not_before=frees_at)
