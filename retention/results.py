"""A campaign's results: who was reached, what they did, and the orders it brought against the control group.

An order is attributed to the campaign when a contacted customer placed it within `attribution_days` of the
contact, or when it carries one of the campaign's coupon codes (then the coupon counts as redeemed, whoever
placed it). The control group's rate is measured over the same window from the campaign's start.

Only reads: a coupon's redemption is marked as its order comes in (retention.services.coupons).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Value

from crm.models import Order

from .models import Campaign, CampaignContact, ContactStatus, Coupon
from .services.replies import REACHED


@dataclass
class CampaignResults:
    contacted: int = 0
    delivered: int = 0
    opted_out: int = 0
    replied: int = 0
    excluded: int = 0
    waiting: int = 0
    failed: int = 0  # an SMS the provider refused, a call task closed unanswered or missed (not called)
    control: int = 0
    call_outcomes: dict[str, int] = field(default_factory=dict)
    exclusions: dict[str, int] = field(default_factory=dict)
    converted: int = 0
    control_converted: int = 0
    attributed_orders: int = 0
    # {currency: total} of the attributed orders, the store's currency first: never added up (ADR 0036).
    attributed_revenue: dict[str, Decimal] = field(default_factory=dict)
    coupons_redeemed: int = 0

    @property
    def rate(self) -> float | None:
        return self.converted / self.contacted if self.contacted else None

    @property
    def control_rate(self) -> float | None:
        return self.control_converted / self.control if self.control else None

    @property
    def lift_points(self) -> float | None:
        if self.rate is None or self.control_rate is None:
            return None
        return round(100 * (self.rate - self.control_rate), 1)


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    contacts = CampaignContact.objects.filter(campaign=campaign)
    res = CampaignResults()
    for status, count in contacts.values_list("status").annotate(n=Count("pk")).values_list("status", "n"):
        if status in REACHED:
            res.contacted += count
        elif status == ContactStatus.SUPPRESSED:
            res.excluded = count
        elif status == ContactStatus.CONTROL:
            res.control = count
        elif status == ContactStatus.FAILED:
            res.failed = count
        else:
            res.waiting += count
    res.exclusions = dict(
        contacts.filter(status=ContactStatus.SUPPRESSED).values_list("excluded_reason").annotate(n=Count("pk"))
    )
    res.call_outcomes = dict(contacts.exclude(outcome="").values_list("outcome").annotate(n=Count("pk")))
    reached = contacts.filter(status__in=REACHED)
    res.delivered = reached.filter(provider_status="delivered").count()
    res.opted_out = reached.filter(Q(outcome="opted_out") | Q(customer__sms_opt_out=True)).count()
    window = timedelta(days=campaign.attribution_days)
    # A cancelled or returned order is no purchase, for the contacted and the control group alike.
    purchases = Order.objects.exclude(status__in=[Order.Status.CANCELLED, Order.Status.RETURNED])
    after_contact = purchases.filter(
        customer_id=OuterRef("customer_id"),
        placed_at__gte=OuterRef("sent_at"),
        placed_at__lt=ExpressionWrapper(OuterRef("sent_at") + Value(window), output_field=DateTimeField()),
    )
    res.converted = reached.filter(Exists(after_contact)).count()
    if campaign.started_at:
        start = campaign.started_at
        in_window = purchases.filter(
            customer_id=OuterRef("customer_id"), placed_at__gte=start, placed_at__lt=start + window
        )
        res.control_converted = contacts.filter(status=ContactStatus.CONTROL).filter(Exists(in_window)).count()
    codes = list(Coupon.objects.filter(campaign=campaign).values_list("code", flat=True))
    contact_before = reached.annotate(
        until=ExpressionWrapper(F("sent_at") + Value(window), output_field=DateTimeField())
    ).filter(customer_id=OuterRef("customer_id"), sent_at__lte=OuterRef("placed_at"), until__gt=OuterRef("placed_at"))
    brought = Q(Exists(contact_before))
    if codes:
        brought |= Q(coupon_code__in=codes)
    attributed = purchases.filter(brought, store_id=campaign.store_id)
    revenue = dict(attributed.values_list("currency").annotate(total=Sum("total_amount")).order_by())
    res.attributed_orders = attributed.count()
    res.attributed_revenue = {
        currency: revenue[currency]
        for currency in sorted(revenue, key=lambda code: (code != campaign.store.currency, code))
    }
    res.coupons_redeemed = Coupon.objects.filter(campaign=campaign, redeemed_order__isnull=False).count()
    # A contact's first reply is recorded as it comes, by the rule of retention.services.replies.
    res.replied = reached.filter(replied_at__isnull=False).count()
    return res
