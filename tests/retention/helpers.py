"""Campaign fixtures: a store whose sending hours cover now, a segment of customers, a campaign over it."""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from callbacks.models import FollowUpPolicy
from retention.models import Segment
from retention.services.campaigns import CampaignInput, campaign_create
from retention.services.segments import attributes_refresh, segment_create
from tests.factories import StoreFactory


def open_store(**kwargs):
    """A store whose local time is around noon, so its SMS hours (09:00-21:00) are open whatever the run's hour."""
    offset = 12 - timezone.now().hour
    store = StoreFactory(timezone=f"Etc/GMT{-offset:+d}" if offset else "UTC", **kwargs)
    FollowUpPolicy.objects.create(store=store)
    return store


def everyone(store) -> Segment:
    attributes_refresh(store=store)
    return segment_create(store=store, name="buyers", rules=[{"attribute": "orders_count", "op": "gte", "value": 1}])


def campaign_for(store, segment, **overrides):
    now = timezone.now()
    data = {
        "name": "回访",
        "segment": segment,
        "purpose": "return_visit",
        "channel": "sms",
        "wordings": ["{name}您好，{store}想念您！{offer}", "{name}，好久不见，{store}送您{offer}"],
        "starts_at": now - timedelta(minutes=5),
        "ends_at": now + timedelta(days=7),
        "send_from": time(9, 0),
        "send_until": time(21, 0),
        "offer_kind": "fixed_amount",
        "offer_amount": Decimal("50"),
        "offer_min_spend": Decimal("300"),
    }
    data.update(overrides)
    return campaign_create(store=store, data=CampaignInput(**data))
