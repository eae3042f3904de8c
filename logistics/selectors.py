"""Read queries for logistics' pages, the API and the reports."""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from callbacks.models import SENT_UNDELIVERED, FollowUpPolicy
from crm.models import Store
from logistics.models import NOTICE_TOLD, Checkpoint, Shipment, ShipmentNotice


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


def _notices() -> QuerySet[ShipmentNotice]:
    """A parcel's notices as planned, each with `undelivered`: sent, then reported by the provider as not delivered
    (callbacks.models.SENT_UNDELIVERED, as the reports count it): it told nobody, and the board says so; and `told`:
    it told the customer, at its `sent_at` (an SMS delivered, a call that reached them: `NOTICE_TOLD`, as the reports
    count it)."""
    return ShipmentNotice.objects.annotate(
        undelivered=ExpressionWrapper(SENT_UNDELIVERED, output_field=BooleanField()),
        told=ExpressionWrapper(NOTICE_TOLD, output_field=BooleanField()),
    ).order_by("created_at", "id")


def shipments_at_risk_count(*, store_ids: list[int]) -> int:
    """How many parcels the board lists (before its limit): the home page's count."""
    return _at_risk(store_ids).count()


def store_value_rates(*, stores: list[Store]) -> dict[int, dict[str, Decimal]]:
    """{store id: {currency: one unit of it in the store's currency}}: the store's own at 1, another at its follow-up
    policy's rate (through the policy's currency, `FollowUpPolicy.rates_into`); a currency missing cannot be valued
    in the store's (ADR 0040). One query whatever the number of stores."""
    saved = {p.store_id: p for p in FollowUpPolicy.objects.filter(store__in=stores)}
    return {s.pk: saved.get(s.pk, FollowUpPolicy(store=s)).rates_into(s.currency) for s in stores}


def _value_in_store_currency(rates: dict[int, dict[str, Decimal]]) -> Case:
    amount = DecimalField(max_digits=24, decimal_places=8)
    return Case(
        *[
            When(
                store_id=store_id,
                order__currency=currency,
                then=ExpressionWrapper(
                    F("order__total_amount") * Value(rate, output_field=amount), output_field=amount
                ),
            )
            for store_id, store_rates in rates.items()
            for currency, rate in sorted(store_rates.items())
        ],
        default=None,
        output_field=amount,
    )


def shipments_at_risk(*, stores: list[Store], limit: int = 200) -> list[Shipment]:
    """Open parcels with a delay found on them, biggest orders first, then the longest without news (ADR 0040).

    An order's size is its value in its store's currency: its own amount when paid in it, else converted at the
    store's follow-up policy's rate (`store_value_rates`). Stores selling in different currencies are not compared:
    each currency's parcels are ranked in turn, in the order the stores are listed. An order no rate converts comes
    after them all, grouped by the currency it was paid in, biggest first. Each parcel carries `value` and
    `value_currency` (None when it could not be valued), which the board shows beside an amount in another currency.

    Each with its checkpoints, its delays and what was already sent (four queries whatever the number).
    """
    rates = store_value_rates(stores=stores)
    currencies = list(dict.fromkeys(s.currency for s in stores))
    store_currency = {s.pk: s.currency for s in stores}
    # The valued parcels of the first listed store's currency, of the next ...; those not valued last.
    currency_rank = Case(
        When(value__isnull=True, then=Value(len(currencies))),
        *[When(store__currency=code, then=Value(rank)) for rank, code in enumerate(currencies)],
        default=Value(len(currencies)),
        output_field=IntegerField(),
    )
    shipments = list(
        _at_risk([s.pk for s in stores])
        .select_related("store", "order__customer")
        .prefetch_related(
            Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("-at", "-id")),
            "delays",
            Prefetch("notices", queryset=_notices()),
        )
        # Lateness: the older the last news (the last checkpoint, else the shipping), the later the parcel.
        .annotate(news_at=Coalesce("last_event_at", "shipped_at"), value=_value_in_store_currency(rates))
        .annotate(currency_rank=currency_rank)
        .order_by(
            "currency_rank",
            F("value").desc(),
            "order__currency",
            "-order__total_amount",
            "news_at",
            "id",
        )[:limit]
    )
    for shipment in shipments:
        shipment.value_currency = store_currency[shipment.store_id] if shipment.value is not None else None
    return shipments


def shipment_for_stores(*, store_ids: list[int], shipment_id: int) -> Shipment | None:
    """The parcel, if one of the stores', with its order's `value` in its store's currency as the board has it."""
    found = (
        Shipment.objects.filter(store_id__in=store_ids, pk=shipment_id)
        .select_related("store", "order__customer")
        .prefetch_related("checkpoints", "delays", Prefetch("notices", queryset=_notices()))
        .first()
    )
    if found is not None:
        rate = store_value_rates(stores=[found.store])[found.store_id].get(found.order.currency)
        found.value = None if rate is None else found.order.total_amount * rate
        found.value_currency = None if rate is None else found.store.currency
    return found
