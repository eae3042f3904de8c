"""The per-store follow-up policy: tiers, currency and rates, call and SMS hours, SMS wording, call attempts,
contact caps and the overflow rule. A store without a saved policy uses the defaults here."""

from datetime import time
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callbacks.models.followup import FollowUpChannel
from crm.models import MessageLanguage, Store


class OverflowRule(models.TextChoices):
    NEXT_WINDOW = "next_window", _("Move to the next call window")
    SMS_INSTEAD = "sms_instead", _("Send a care SMS instead")


# The languages a store writes to its customers in, one list with the customer's own (crm.Customer.language).
SmsLanguage = MessageLanguage


def default_tiers() -> list[dict[str, str]]:
    return [
        {"min_amount": "300.00", "channel": FollowUpChannel.SMS.value},
        {"min_amount": "1000.00", "channel": FollowUpChannel.CALL.value},
        {"min_amount": "2000.00", "channel": FollowUpChannel.DEDICATED.value},
    ]


def default_call_days() -> list[int]:
    return [0, 1, 2, 3, 4, 5, 6]  # Monday = 0, as date.weekday()


DEFAULT_SMS_TEMPLATE_ZH = (
    "{name}您好，您在{store}购买的{product}已签收。如有任何不满意，请先联系我们（{hotline}），我们马上为您处理。"
)
DEFAULT_SMS_TEMPLATE_EN = (
    "Hi {name}, your {product} from {store} has been delivered. "
    "If anything is not right, tell us first at {hotline} and we will put it right."
)


class FollowUpPolicy(models.Model):
    """How a store follows up its deliveries. A store without a saved policy uses these defaults."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="followup_policy")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # {"USD": "7.10"}: one unit of the order's currency in the policy's currency.
    exchange_rates = models.JSONField(_("exchange rates"), default=dict, blank=True)
    # Ascending [{"min_amount": "300.00", "channel": "sms"}, ...]; below the first tier nothing is planned.
    tiers = models.JSONField(_("tiers"), default=default_tiers)
    call_window_start = models.TimeField(_("call window starts"), default=time(18, 0))
    call_window_end = models.TimeField(_("call window ends"), default=time(19, 0))
    call_days = models.JSONField(_("call days"), default=default_call_days)
    sms_send_from = models.TimeField(_("SMS sent from"), default=time(9, 0))
    sms_send_until = models.TimeField(_("SMS sent until"), default=time(21, 0))
    sms_language = models.CharField(
        _("SMS language"), max_length=7, choices=SmsLanguage.choices, default=SmsLanguage.ZH_HANS
    )
    sms_template_zh = models.TextField(_("SMS template (Chinese)"), default=DEFAULT_SMS_TEMPLATE_ZH)
    sms_template_en = models.TextField(_("SMS template (English)"), default=DEFAULT_SMS_TEMPLATE_EN)
    sms_opt_out_zh = models.CharField(_("opt-out wording (Chinese)"), max_length=40, default="回T退订")
    sms_opt_out_en = models.CharField(_("opt-out wording (English)"), max_length=40, default="Reply STOP to opt out")
    # Extra inbound words that opt a customer out, besides Twilio's keywords (STOP, CANCEL, END...) and 退订/TD/T.
    opt_out_words = models.JSONField(_("extra opt-out words"), default=list, blank=True)
    max_call_attempts = models.PositiveSmallIntegerField(_("maximum call attempts"), default=3)
    # The contact gate (ADR 0017): a call, evening or daytime task, is placed only inside these local hours.
    call_hours_from = models.TimeField(_("calls allowed from"), default=time(9, 0))
    call_hours_until = models.TimeField(_("calls allowed until"), default=time(21, 0))
    # Per-customer caps counted from the contact ledger (ContactLog); 0 stops that purpose altogether.
    logistics_cap_per_order = models.PositiveSmallIntegerField(_("logistics messages per order"), default=2)
    marketing_cap = models.PositiveSmallIntegerField(_("marketing messages per period"), default=1)
    marketing_cap_days = models.PositiveSmallIntegerField(_("marketing period (days)"), default=7)
    overflow_rule = models.CharField(
        _("when calls exceed capacity"), max_length=12, choices=OverflowRule.choices, default=OverflowRule.NEXT_WINDOW
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(call_window_end__gt=models.F("call_window_start")), name="policy_call_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(sms_send_until__gt=models.F("sms_send_from")), name="policy_sms_hours_ordered"
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="policy_currency_iso"),
            models.CheckConstraint(condition=Q(max_call_attempts__gte=1), name="policy_call_attempts_positive"),
            models.CheckConstraint(
                condition=Q(call_hours_until__gt=models.F("call_hours_from")), name="policy_call_hours_ordered"
            ),
            models.CheckConstraint(condition=Q(marketing_cap_days__gte=1), name="policy_marketing_days_positive"),
            models.CheckConstraint(condition=Q(sms_language__in=SmsLanguage.values), name="policy_sms_language"),
            models.CheckConstraint(condition=Q(overflow_rule__in=OverflowRule.values), name="policy_overflow_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} policy"

    def channel_for(self, amount: Decimal) -> str | None:
        """The channel of the highest tier the amount (in the policy currency) reaches, or None."""
        channel = None
        for tier in self.tiers:
            if amount >= Decimal(tier["min_amount"]):
                channel = tier["channel"]
        return channel

    def amount_in_policy_currency(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency == self.currency:
            return amount
        rate = self.exchange_rates.get(currency)
        return None if rate is None else amount * Decimal(str(rate))

    def rates_into(self, currency: str) -> dict[str, Decimal]:
        """{currency: what one unit of it is worth in `currency`} for every currency these rates can convert into
        it (through the policy's currency); `currency` itself is 1. A currency missing here cannot be valued in it."""
        to_policy = {self.currency: Decimal(1), **{code: Decimal(str(r)) for code, r in self.exchange_rates.items()}}
        if currency not in to_policy:
            return {currency: Decimal(1)}
        return {**{code: rate / to_policy[currency] for code, rate in to_policy.items()}, currency: Decimal(1)}
