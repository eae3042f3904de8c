"""Retention's domain errors (crm.errors.DomainError: a code, an HTTP status, a field)."""

from crm.errors import Conflict, InvalidInput


class SegmentEmpty(InvalidInput):
    code = "segment_empty"
    default_message = "The segment has no customers."


class CouponPoolExhausted(Conflict):
    code = "coupon_pool_exhausted"
    default_message = "The coupon pool has fewer codes than customers to contact."


class GiftUnsuitable(InvalidInput):
    code = "gift_unsuitable"
    default_message = "This gift does not suit the customer."


class CampaignNotDraft(Conflict):
    code = "campaign_not_draft"
    default_message = "Only a draft campaign can be started."
