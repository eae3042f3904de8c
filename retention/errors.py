"""Retention's domain errors (crm.errors.DomainError: a code, an HTTP status, a field)."""

from django.utils.translation import gettext_lazy as _

from crm.errors import Conflict, InvalidInput


class SegmentEmpty(InvalidInput):
    code = "segment_empty"
    default_message = _("The segment has no customers.")


class CouponPoolExhausted(Conflict):
    code = "coupon_pool_exhausted"
    default_message = _("The coupon pool has fewer codes than customers to contact.")


class GiftUnsuitable(InvalidInput):
    code = "gift_unsuitable"
    default_message = _("This gift does not suit the customer.")


class CampaignNotDraft(Conflict):
    code = "campaign_not_draft"
    default_message = _("Only a draft campaign can be started.")
