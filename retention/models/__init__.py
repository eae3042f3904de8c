"""Retention: derived customer attributes, segments, campaigns and their contacts, gifts."""

from .attributes import CustomerAttributes
from .campaign import (
    CallOutcome,
    Campaign,
    CampaignChannel,
    CampaignContact,
    CampaignPurpose,
    CampaignStatus,
    ContactStatus,
    Coupon,
    OfferKind,
)
from .gift import Gift, GiftTask, GiftTaskStatus
from .policy import RetentionPolicy, retention_policy_for
from .segment import Segment

__all__ = [
    "CallOutcome",
    "Campaign",
    "CampaignChannel",
    "CampaignContact",
    "CampaignPurpose",
    "CampaignStatus",
    "ContactStatus",
    "Coupon",
    "CustomerAttributes",
    "Gift",
    "GiftTask",
    "GiftTaskStatus",
    "OfferKind",
    "RetentionPolicy",
    "Segment",
    "retention_policy_for",
]
