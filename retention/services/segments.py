"""Refreshing customer attributes and defining segments over them."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.services.policy import policy_for_store
from crm.errors import InvalidInput
from crm.models import Store
from crm.timezones import store_today, to_store_local

from ..attributes_sql import attributes_refresh_rows
from ..models import CustomerAttributes, Segment, retention_policy_for
from ..rules import BUILTINS, builtin_named, rules_clean


@transaction.atomic
def attributes_refresh(*, store: Store, now: datetime | None = None) -> int:
    """Recompute every customer's attributes of the store (and their vip_tier) in one statement. Spend (total spent,
    the money score, the VIP tier) is in the store's currency: an order in another is converted with the store's
    follow-up policy rates, and one no rate converts counts as an order but adds nothing to the spend."""
    now = now or timezone.now()
    policy = retention_policy_for(store=store)
    # Spend is in the store's currency; another is converted with the follow-up policy's rates (ADR 0036).
    rates = policy_for_store(store=store).rates_into(store.currency)
    return attributes_refresh_rows(
        store_id=store.pk, policy=policy, spend_rates=rates, now=now, today=store_today(store, now=now)
    )


def attributes_stale_stores(*, now: datetime | None = None) -> list[int]:
    """The stores whose attributes were last refreshed before their own latest midnight (or never): ages, days since
    the last order and the 30- and 90-day counts move on at each store's midnight, not at the worker's. One refresh
    writes every row of the store with the same `refreshed_at`, so any one row (the first by the store's index) tells
    when it last ran; a customer added since has no row yet and the next midnight's refresh adds it."""
    now = now or timezone.now()
    last = CustomerAttributes.objects.filter(store=OuterRef("pk")).order_by("store", "customer")
    stores = Store.objects.only("pk", "timezone").annotate(last=Subquery(last.values("refreshed_at")[:1]))
    return [
        store.pk
        for store in stores
        if store.last is None or to_store_local(store.last, store).date() < store_today(store, now=now)
    ]


def segments_ensure_builtin(*, store: Store) -> None:
    """The built-in segments exist for the store (their rules are read from the code, not from the row). A built-in
    is known by its key: a store's own segment of the same name (made before such names were refused) stays beside
    it, as names are unique among a store's own segments only."""
    have = set(Segment.objects.filter(store=store).exclude(builtin="").values_list("builtin", flat=True))
    missing = [key for key in BUILTINS if key not in have]
    if missing:
        Segment.objects.bulk_create(
            [Segment(store=store, builtin=key, name=str(BUILTINS[key][0]), rules=[]) for key in missing],
            ignore_conflicts=True,
        )


def segment_rules(segment: Segment) -> list[dict]:
    return BUILTINS[segment.builtin][1] if segment.builtin else segment.rules


@transaction.atomic
def segment_create(*, store: Store, name: str, rules: list[dict]) -> Segment:
    """A store's own segment. Its name is unique among the store's own segments, and is none of the built-in
    segments' names in any of the site's languages (the built-ins are shown by those names in every list)."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the segment a name."), field="name")
    if builtin_named(name):
        raise InvalidInput(
            _("“%(name)s” is the name of a built-in segment; choose another name.") % {"name": name}, field="name"
        )
    cleaned = rules_clean(rules)
    try:
        with transaction.atomic():
            return Segment.objects.create(store=store, name=name, rules=cleaned)
    except IntegrityError:
        raise InvalidInput(_("The store already has a segment of that name."), field="name") from None


@transaction.atomic
def segment_delete(*, segment: Segment) -> None:
    if segment.builtin:
        raise InvalidInput(_("Built-in segments cannot be deleted."), field="segment")
    if segment.campaigns.exists():
        raise InvalidInput(_("Campaigns use this segment."), field="segment")
    segment.delete()
