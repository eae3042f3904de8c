"""Campaigns: who (a segment), why (purpose), how (SMS or a call task), what (wordings and an offer), when.

Each customer a started campaign considered has one `CampaignContact` row (unique per campaign and customer):
contacted, held back as the control group, or excluded with the reason. SMS rows are sent by the care SMS
sweeper (callbacks.services.dispatch), at most once (ADR 0011, ADR 0018). Call rows become call tasks in the
agents' daytime queue once due (retention.services.visits), one task per row, and take back the task's outcome.
"""

from datetime import time
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callbacks.models import FollowUp, ReturnVisitOutcome
from crm.models import Agent, Customer, Order, Store

from .segment import Segment


class CampaignPurpose(models.TextChoices):
    RETURN_VISIT = "return_visit", _("Return visit")
    BIRTHDAY = "birthday", _("Birthday")
    NEW_PRODUCT = "new_product", _("New product")
    HOLIDAY = "holiday", _("Holiday")
    WIN_BACK = "win_back", _("Win-back")


class CampaignChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    CALL = "call", _("Call task for an agent")


class OfferKind(models.TextChoices):
    NONE = "none", _("No offer")
    COUPON_POOL = "coupon_pool", _("A coupon code from a pool")
    FIXED_AMOUNT = "fixed_amount", _("A fixed amount off")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Campaign(models.Model):
    Purpose = CampaignPurpose
    Channel = CampaignChannel
    Offer = OfferKind
    Status = CampaignStatus

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="campaigns", null=True, blank=True, verbose_name=_("segment")
    )
    purpose = models.CharField(_("purpose"), max_length=14, choices=CampaignPurpose.choices)
    channel = models.CharField(_("channel"), max_length=4, choices=CampaignChannel.choices)
    # Several wordings, one picked per customer (retention.wording); placeholders in retention.wording.
    wordings = models.JSONField(_("wordings"), default=list)
    offer_kind = models.CharField(_("offer"), max_length=12, choices=OfferKind.choices, default=OfferKind.NONE)
    offer_amount = models.DecimalField(_("amount off"), max_digits=10, decimal_places=2, default=Decimal("0"))
    offer_min_spend = models.DecimalField(
        _("on orders of at least"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    send_from = models.TimeField(_("sending from (store time)"), default=time(10, 0))
    send_until = models.TimeField(_("sending until (store time)"), default=time(20, 0))
    # Share of the segment held back (not contacted) to measure what the campaign changed.
    control_percent = models.PositiveSmallIntegerField(_("control group (%)"), default=0)
    # A member's order within this many days of the contact counts as a repeat order the campaign brought.
    attribution_days = models.PositiveSmallIntegerField(_("attribution window (days)"), default=30)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    created_by = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set on the campaigns the system runs itself ("birthday:2027", the store's birthday wishes of 2027), which it
    # finds again by this key: their names are translated and a manager may rename them. Empty on a manager's own.
    system_key = models.CharField(_("system key"), max_length=40, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_schedule_ordered"),
            models.CheckConstraint(condition=Q(send_until__gt=models.F("send_from")), name="campaign_hours_ordered"),
            models.CheckConstraint(condition=Q(control_percent__lte=50), name="campaign_control_at_most_half"),
            models.CheckConstraint(condition=Q(purpose__in=CampaignPurpose.values), name="campaign_purpose_valid"),
            models.CheckConstraint(condition=Q(channel__in=CampaignChannel.values), name="campaign_channel_valid"),
            models.CheckConstraint(condition=Q(offer_kind__in=OfferKind.values), name="campaign_offer_valid"),
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"),
            models.UniqueConstraint(
                fields=["store", "system_key"], condition=~Q(system_key=""), name="campaign_system_key_once_per_store"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactStatus(models.TextChoices):
    # The SMS values are the care SMS's (callbacks.models.FollowUpStatus): the same sweeper moves both.
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DONE = "done", _("Called")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Excluded")
    CONTROL = "control", _("Held back (control group)")


# A return-visit call's outcomes are the call panel's for its call task (callbacks owns the panel and the attempts).
CallOutcome = ReturnVisitOutcome


class CampaignContact(models.Model):
    """One customer of a started campaign. Unique per campaign and customer: at most one message each."""

    Status = ContactStatus
    CallOutcome = CallOutcome

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="campaign_contacts")
    channel = models.CharField(_("channel"), max_length=4, choices=CampaignChannel.choices)
    status = models.CharField(_("status"), max_length=12, choices=ContactStatus.choices)
    excluded_reason = models.CharField(_("excluded because"), max_length=40, blank=True)
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    # Not before this moment (the schedule's start, the next sending hour, after quiet hours). A call row falls due
    # for its call task then; the call's own time is the task's window (which the store's hours and zone move).
    due_at = models.DateTimeField(_("due"))
    message_body = models.TextField(_("message"), blank=True)
    # The care SMS sweeper's columns (recipient and claim, attempts, provider answer): see
    # callbacks.services.dispatch.
    recipient = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    provider_status = models.CharField(max_length=16, blank=True)
    error_code = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, blank=True)
    assignee = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A call row's task in the agents' queue (callbacks' FollowUp, purpose return visit), once it fell due.
    call_task = models.OneToOneField(
        FollowUp,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_contact",
        verbose_name=_("call task"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign contact")
        verbose_name_plural = _("campaign contacts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_contact_once"),
            models.CheckConstraint(condition=Q(status__in=ContactStatus.values), name="campaign_contact_status"),
            models.CheckConstraint(
                condition=~Q(status="suppressed") | ~Q(excluded_reason=""), name="campaign_contact_excluded_reason"
            ),
            models.CheckConstraint(condition=~Q(status="sent") | ~Q(provider_id=""), name="campaign_contact_sent_id"),
        ]
        indexes = [
            models.Index(fields=["status", "channel", "due_at"], name="campaign_contact_due"),
            models.Index(fields=["customer", "sent_at"], name="campaign_contact_customer"),
            # A reply's number → the messages sent to it (callbacks' inbound SMS, ADR 0049).
            models.Index(fields=["recipient", "sent_at"], condition=Q(status="sent"), name="campaign_contact_sent_to"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.customer_id} ({self.status})"


class Coupon(models.Model):
    """A code of a campaign's pool, handed to one contact; redeemed by the first order that carries it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("code"), max_length=40)
    contact = models.OneToOneField(
        CampaignContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="coupon"
    )
    redeemed_order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="coupon_code_once_per_campaign")]

    def __str__(self) -> str:
        return self.code
