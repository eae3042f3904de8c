"""Read queries for logistics' pages, the API and the reports."""

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from logistics.models import Checkpoint, Shipment, ShipmentNotice


def shipments_by_keys(*, keys: list[tuple[int, str, str]]) -> dict[tuple[int, str, str], Shipment]:
    """{(store_id, courier, tracking_number): shipment} for the keys that exist."""
    if not keys:
        return {}
    condition = Q()
    for store_id, courier, number in set(keys):
        condition |= Q(store_id=store_id, courier=courier, tracking_number=number)
    return {(s.store_id, s.courier, s.tracking_number): s for s in Shipment.objects.filter(condition)}


def _at_risk(store_ids: list[int]) -> QuerySet[Shipment]:
    return Shipment.objects.filter(store_id__in=store_ids, is_open=True, delays__isnull=False).distinct()


def shipments_at_risk_count(*, store_ids: list[int]) -> int:
    """How many parcels the board lists (before its limit): the home page's count."""
    return _at_risk(store_ids).count()


def shipments_at_risk(*, store_ids: list[int], limit: int = 200) -> QuerySet[Shipment]:
    """Open parcels with a delay found on them, biggest orders first, then the longest without news.

    Each with its checkpoints, its delays and what was already sent (three queries whatever the number).
    """
    return (
        _at_risk(store_ids)
        .select_related("store", "order__customer")
        .prefetch_related(
            Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("-at", "-id")),
            "delays",
            Prefetch("notices", queryset=ShipmentNotice.objects.order_by("created_at", "id")),
        )
        # Lateness: the older the last news (the last checkpoint, else the shipping), the later the parcel.
        .annotate(news_at=Coalesce("last_event_at", "shipped_at"))
        .order_by("-order__total_amount", "news_at", "id")[:limit]
    )


def shipment_for_stores(*, store_ids: list[int], shipment_id: int) -> Shipment | None:
    return (
        Shipment.objects.filter(store_id__in=store_ids, pk=shipment_id)
        .select_related("store", "order__customer")
        .prefetch_related("checkpoints", "delays", "notices")
        .first()
    )
