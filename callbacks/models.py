"""Follow-ups: one planned contact after a delivery (care SMS, call, or a dedicated owner's call).

Also the per-store follow-up policy, the calls placed for a follow-up or for a crm case (`CaseCall`, outside the
evening queue) and the telephony events received.
"""

from datetime import time
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Agent, Case, Customer, Order, Store


class FollowUpChannel(models.TextChoices):
    SMS = "sms", _("Care SMS")
    CALL = "call", _("Phone call")
    DEDICATED = "dedicated", _("Dedicated owner")


# Higher rank wins when several deliveries of one customer are merged into one contact (one day's, ADR 0051).
CHANNEL_RANK = {FollowUpChannel.SMS: 1, FollowUpChannel.CALL: 2, FollowUpChannel.DEDICATED: 3}
CALL_CHANNELS = (FollowUpChannel.CALL, FollowUpChannel.DEDICATED)


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


LIVE_STATUSES = [FollowUpStatus.PLANNED, FollowUpStatus.SENDING, FollowUpStatus.SENT, FollowUpStatus.IN_PROGRESS]
# The provider's last word on a message sent (`provider_status`) that says it never reached the phone: the carrier could
# not deliver it, or Twilio gave up after accepting it. The row stays `sent` (it left us, at most once: ADR 0011).
UNDELIVERED_STATUSES = ("undelivered", "failed")
# A row of any SMS queue (a care SMS, a parcel notice, a campaign message: they share the columns of
# callbacks.services.dispatch.SmsQueue) sent, that the provider then reported it could not deliver: it reached nobody.
# One sent with no such report (delivered, read, or no delivery report at all, as some carriers give none) did.
SENT_UNDELIVERED = Q(status="sent", provider_status__in=UNDELIVERED_STATUSES)


class FollowUpPurpose(models.TextChoices):
    """Why a follow-up exists: the delivery's care contact (planning), or a call task another app created for the
    day (a parcel at risk, a return visit) through `callbacks.services.tasks_calls.call_task_create`."""

    CARE = "care", _("After-delivery care")
    LOGISTICS = "logistics", _("Parcel at risk")
    RETURN_VISIT = "return_visit", _("Return visit")


class ContactChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    CALL = "call", _("Call")


class ContactPurpose(models.TextChoices):
    """Service purposes (care, logistics, case) and marketing, which needs the customer's recorded consent."""

    CARE = "care", _("Care")
    LOGISTICS = "logistics", _("Logistics")
    CASE = "case", _("Case")
    MARKETING = "marketing", _("Marketing")


class RefusalReason(models.TextChoices):
    """Why the contact gate (callbacks.services.gate) refuses a contact; agents see these."""

    DO_NOT_CONTACT = "do_not_contact", _("Customer asked not to be contacted")
    SMS_OPT_OUT = "sms_opt_out", _("Customer opted out of SMS")
    # The number an SMS would go to replied STOP to the store's messages, whoever holds it now (ADR 0049).
    NUMBER_OPTED_OUT = "number_opted_out", _("The number opted out of the store's SMS")
    # The same opt-out (STOP, 退订) refusing a marketing call: said as what was withheld, a call, not an SMS.
    MARKETING_OPT_OUT = "marketing_opt_out", _("Customer opted out of marketing calls")
    NO_CALLS = "no_calls", _("Customer asked not to be called")
    NO_PHONE = "no_phone", _("No phone number")
    QUIET_HOURS = "quiet_hours", _("Quiet hours in the store's time zone")
    OUTSIDE_CALL_WINDOW = "outside_call_window", _("Outside the store's call hours")
    NO_MARKETING_CONSENT = "no_marketing_consent", _("No marketing consent on record")
    CAP_REACHED = "cap_reached", _("The store's contact limit for this purpose is reached")


class SuppressedReason(models.TextChoices):
    # The contact gate's standing refusals (the same codes), then planning's own reasons.
    DO_NOT_CONTACT = RefusalReason.DO_NOT_CONTACT.value, RefusalReason.DO_NOT_CONTACT.label
    SMS_OPT_OUT = RefusalReason.SMS_OPT_OUT.value, RefusalReason.SMS_OPT_OUT.label
    NUMBER_OPTED_OUT = RefusalReason.NUMBER_OPTED_OUT.value, RefusalReason.NUMBER_OPTED_OUT.label
    MARKETING_OPT_OUT = RefusalReason.MARKETING_OPT_OUT.value, RefusalReason.MARKETING_OPT_OUT.label
    NO_CALLS = RefusalReason.NO_CALLS.value, RefusalReason.NO_CALLS.label
    NO_PHONE = RefusalReason.NO_PHONE.value, RefusalReason.NO_PHONE.label
    NO_MARKETING_CONSENT = RefusalReason.NO_MARKETING_CONSENT.value, RefusalReason.NO_MARKETING_CONSENT.label
    CAP_REACHED = RefusalReason.CAP_REACHED.value, RefusalReason.CAP_REACHED.label
    MERGED = "merged", _("Merged into another contact the same day")
    UNKNOWN_CURRENCY = "unknown_currency", _("Order currency has no exchange rate in the policy")
    # A call task withdrawn by the app that asked for it (callbacks.services.tasks_calls.call_tasks_withdraw).
    CAMPAIGN_STOPPED = "campaign_stopped", _("The campaign was stopped")
    # A return visit a closure, new call hours or a new time zone moved to a day after its campaign's end (ADR 0035).
    PAST_CAMPAIGN_END = (
        "past_campaign_end",
        _("Moved past the campaign's end by a closure, new call hours or a new time zone"),
    )


class OverflowRule(models.TextChoices):
    NEXT_WINDOW = "next_window", _("Move to the next call window")
    SMS_INSTEAD = "sms_instead", _("Send a care SMS instead")


class SmsLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


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


class FollowUp(models.Model):
    Channel = FollowUpChannel
    Purpose = FollowUpPurpose
    Status = FollowUpStatus
    SuppressedReason = SuppressedReason
    FINAL = (FollowUpStatus.SENT, FollowUpStatus.DONE, FollowUpStatus.FAILED, FollowUpStatus.SUPPRESSED)

    # No index of its own: (store, window_start) below serves every lookup by store. Each index is paid for on
    # every one of an evening's 100,000 inserts.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="followups", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="followups")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="followups")
    # The channel the order's value asked for, before the customer's wishes and capacity had their say.
    tier = models.CharField(_("tier"), max_length=10, choices=FollowUpChannel.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=FollowUpChannel.choices)
    purpose = models.CharField(
        _("purpose"),
        max_length=16,
        choices=FollowUpPurpose.choices,
        default=FollowUpPurpose.CARE,
        db_default=FollowUpPurpose.CARE,  # planning's COPY leaves it out
    )
    # A call task's own words for the agent (what happened, what to say); empty for a care contact.
    note = models.TextField(_("note"), blank=True, default="", db_default="")
    script = models.TextField(_("script"), blank=True, default="", db_default="")
    status = models.CharField(
        _("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.PLANNED
    )
    # The store-local day of the delivery: one live care contact per customer and delivery day (the database's index);
    # planning also merges contacts made on one store day, whatever day they were delivered on (ADR 0051).
    contact_day = models.DateField(_("contact day"))
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    assignee = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("assignee"),
        db_index=False,  # (assignee, window_start) below serves it
    )
    # Did not fit tonight's capacity: shown to the store manager, moved by the overflow rule.
    overflowed = models.BooleanField(_("over capacity"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=24, blank=True)
    suppressed_reason = models.CharField(_("suppressed because"), max_length=40, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged", verbose_name=_("merged into")
    )
    # SMS dispatch: the text and the number as claimed (so the send goes, and a reconciliation looks, exactly where
    # the claim said, whatever the customer's phone became since), the claim time, the provider's message id and its
    # last reported status.
    message_body = models.TextField(_("message"), blank=True)
    recipient = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    provider_status = models.CharField(_("provider status"), max_length=16, blank=True)
    error_code = models.CharField(_("error code"), max_length=16, blank=True)
    # A call task whose customer answered the store by SMS, as the app that asked for the call counts an answer (a
    # return visit: their latest reply to a message of one of the store's running campaigns, ADR 0024): the queue lists
    # it first and says when. Empty for a care contact.
    customer_replied_at = models.DateTimeField(_("customer replied at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=FollowUpChannel.values), name="followup_channel_valid"),
            models.CheckConstraint(condition=Q(tier__in=FollowUpChannel.values), name="followup_tier_valid"),
            models.CheckConstraint(condition=Q(status__in=FollowUpStatus.values), name="followup_status_valid"),
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")), name="followup_window_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="suppressed") | ~Q(suppressed_reason=""), name="followup_suppressed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | ~Q(provider_id=""), name="followup_sent_has_provider_id"
            ),
            models.CheckConstraint(condition=Q(purpose__in=FollowUpPurpose.values), name="followup_purpose_valid"),
            # One live care contact per order, and per customer and day (several orders of a day are merged). Closed
            # rows do not count: an unanswered call is closed before its care SMS fallback is planned. Call tasks
            # (other purposes) come on top: one live task per order and purpose.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=LIVE_STATUSES, purpose="care"),
                name="followup_one_live_per_order",
            ),
            models.UniqueConstraint(
                fields=["customer", "contact_day"],
                condition=Q(status__in=LIVE_STATUSES, purpose="care"),
                name="followup_one_live_per_customer_day",
            ),
            models.UniqueConstraint(
                fields=["order", "purpose"],
                condition=Q(status__in=LIVE_STATUSES) & ~Q(purpose="care"),
                name="followup_one_live_task_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "channel", "window_start"], name="followup_due"),
            models.Index(fields=["assignee", "window_start"], name="followup_assignee_window"),
            models.Index(fields=["store", "window_start"], name="followup_store_window"),
            # A reply's number → the messages sent to it (ADR 0049). Partial: planning's inserts add no entry.
            models.Index(fields=["recipient", "sent_at"], condition=Q(status="sent"), name="followup_sent_to"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.customer} ({self.order.external_id})"


class FollowUpOutcome(models.TextChoices):
    """What the agent logged after a call attempt (one click on the call panel)."""

    SATISFIED = "satisfied", _("Reached, satisfied")
    DISSATISFIED = "dissatisfied", _("Reached, dissatisfied")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DO_NOT_CALL = "do_not_call", _("Asked not to be called")
    CALL_BACK = "call_back", _("Call me back later")


# The outcomes an agent logs when the customer answered: they spoke with them, whatever came of it. The first contact
# after a delivery counts from such a call (reports.rollups) and a parcel's call notice told its customer of the delay
# with it (logistics.models.notice.NOTICE_TOLD). No answer, a wrong number, a call nobody made (`ClosedUncalled`) or
# one whose outcome nobody logged (`ClosedUnlogged`) reached nobody.
REACHED_OUTCOMES = (
    FollowUpOutcome.SATISFIED,
    FollowUpOutcome.DISSATISFIED,
    FollowUpOutcome.DO_NOT_CALL,
    FollowUpOutcome.CALL_BACK,
)


class CaseCallOutcome(models.TextChoices):
    """What the agent logged after a call about a case. Only a reached call counts as contact on the case."""

    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DO_NOT_CALL = "do_not_call", _("Asked not to be called")


class ReturnVisitOutcome(models.TextChoices):
    """What the agent logged after a return-visit call (a campaign's call task). The values it shares with
    `FollowUpOutcome` mean the same; the campaign reads them back (callbacks.signals.followup_outcome_logged)."""

    INTERESTED = "interested", _("Interested")
    NOT_NOW = "not_now", _("Not now")
    DO_NOT_CALL = "do_not_call", _("Do not call again")
    COMPLAINT = "complaint", _("Complaint (opens a case)")
    NO_ANSWER = "no_answer", _("No answer")


class ClosedUncalled(models.TextChoices):
    """The outcome of a call follow-up nobody worked: closed by the sweep of callbacks.services.missed once its
    window ended with no call placed or under way. No agent logs it, so it has no `CallAttempt`."""

    MISSED = "missed", _("Not called in its window")


class ClosedUnlogged(models.TextChoices):
    """The outcome of a call follow-up whose call was placed but whose outcome its agent never logged (the tab was
    closed): closed by the same sweep once the call and its window were over (ADR 0028). No agent logged it, so it
    has no `CallAttempt`; what was said may still be logged on the panel, which replaces it."""

    NOT_LOGGED = "not_logged", _("Called, outcome not logged")


# The outcomes the panel offers, and the outcome service accepts, for each purpose of a follow-up.
OUTCOMES_BY_PURPOSE: dict[str, type[models.TextChoices]] = {
    FollowUpPurpose.CARE: FollowUpOutcome,
    FollowUpPurpose.LOGISTICS: FollowUpOutcome,
    FollowUpPurpose.RETURN_VISIT: ReturnVisitOutcome,
}


def outcomes_for(purpose: str) -> type[models.TextChoices]:
    return OUTCOMES_BY_PURPOSE[purpose]


# Calls and attempts belong to exactly one of a follow-up and a case call.
ONE_SUBJECT = Q(followup__isnull=False, case_call__isnull=True) | Q(followup__isnull=True, case_call__isnull=False)

# Every outcome a CallAttempt may hold, for follow-ups and case calls (the values they share mean the same).
ATTEMPT_OUTCOMES = [
    *FollowUpOutcome.choices,
    (CaseCallOutcome.REACHED.value, CaseCallOutcome.REACHED.label),
    *((value, label) for value, label in ReturnVisitOutcome.choices if value not in FollowUpOutcome.values),
]
# Every label of an outcome a follow-up may hold, for the pages (the care wording first where values are shared).
OUTCOME_LABELS = {
    **dict(ReturnVisitOutcome.choices),
    **dict(FollowUpOutcome.choices),
    **dict(ClosedUncalled.choices),
    **dict(ClosedUnlogged.choices),
}


class CaseCall(models.Model):
    """A call to the customer of a crm case, opened from the case page by the agent who will call.

    It shares the call panel, click-to-call and the attempt rules with evening follow-ups but is not one: it has
    no delivery, window or tier, so the evening queue, capacity, planning and follow-up reports never see it.
    Its statuses are the follow-up's open and closed ones, so the shared panel templates read both alike.
    """

    class Status(models.TextChoices):
        PLANNED = FollowUpStatus.PLANNED.value, FollowUpStatus.PLANNED.label
        IN_PROGRESS = FollowUpStatus.IN_PROGRESS.value, FollowUpStatus.IN_PROGRESS.label
        DONE = FollowUpStatus.DONE.value, FollowUpStatus.DONE.label

    Outcome = CaseCallOutcome
    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_calls", verbose_name=_("case"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="case_calls")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="case_calls")
    assignee = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="case_calls", verbose_name=_("assignee"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=24, choices=CaseCallOutcome.choices, blank=True)
    created_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case call")
        verbose_name_plural = _("case calls")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["planned", "in_progress", "done"]), name="casecall_status"),
            # Opening the panel twice (a double click, two tabs) finds the same open call.
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["planned", "in_progress"]), name="casecall_one_open_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"case #{self.case_id} → {self.customer}"

    @property
    def order(self) -> Order | None:
        return self.case.order

    def is_on_the_phone(self) -> bool:
        """A call of it is ringing or talking right now: the agent making it keeps it (a colleague opening the case's
        call, or a handover when the agent leaves the store, waits until it is over)."""
        return self.calls.exclude(status__in=Call.FINAL).exists()


class CallAttempt(models.Model):
    """One logged outcome of a call follow-up or a case call. (followup, seq) and (case_call, seq) are unique:
    the same attempt is never logged twice, whether by a double click or by two people at once."""

    Outcome = FollowUpOutcome

    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="call_attempts"
    )
    case_call = models.ForeignKey(
        CaseCall, on_delete=models.CASCADE, null=True, blank=True, related_name="call_attempts"
    )
    seq = models.PositiveSmallIntegerField(_("attempt"))
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="call_attempts", verbose_name=_("agent"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=ATTEMPT_OUTCOMES)
    cause = models.CharField(_("cause"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    case = models.ForeignKey("crm.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="call_attempts")
    at = models.DateTimeField(_("logged at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        constraints = [
            models.UniqueConstraint(fields=["followup", "seq"], name="call_attempt_once_per_seq"),
            models.UniqueConstraint(fields=["case_call", "seq"], name="call_attempt_once_per_case_call_seq"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="call_attempt_one_subject"),
            models.CheckConstraint(
                condition=Q(outcome__in=[value for value, _label in ATTEMPT_OUTCOMES]),
                name="call_attempt_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="call_back") | Q(callback_at__isnull=False), name="call_attempt_callback_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup_id or f'case call {self.case_call_id}'}#{self.seq} {self.outcome}"


class CallScript(models.Model):
    """The store's call scripts, edited by its manager: the evening follow-up call's and the call about a case
    (the apology call of a bad review; empty: the translated default). Placeholders: {customer}, {product},
    {hotline}, {store}."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="call_script")
    body = models.TextField(_("script"))
    case_body = models.TextField(_("script for calls about a case"), blank=True)
    updated_by = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")

    def __str__(self) -> str:
        return f"{self.store.code} script"


class CallStatus(models.TextChoices):
    # Ours, not the provider's: the call is recorded and its request to the provider is (or was) on the wire.
    PLACING = "placing", _("Placing the call")
    QUEUED = "queued", _("Queued")
    INITIATED = "initiated", _("Initiated")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no-answer", _("No answer")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class Call(models.Model):
    """One call placed for a follow-up or a case call: the agent's phone rings first, then the customer.

    The row is committed `placing`, without the provider's id, before the provider is asked to call; the id is
    written when it answers (callbacks.services.calls, ADR 0011). A call the provider refused is `failed` with no id.
    """

    Status = CallStatus
    FINAL = (CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED)

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    case_call = models.ForeignKey(CaseCall, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="calls")
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.PLACING)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CallStatus.values), name="call_status_valid"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="call_one_subject"),
            models.UniqueConstraint(fields=["provider_id"], condition=~Q(provider_id=""), name="call_provider_id_once"),
            # A call the provider took has its id; only one still being placed, or refused, has none.
            models.CheckConstraint(
                condition=Q(status__in=["placing", "failed"]) | ~Q(provider_id=""), name="call_placed_has_provider_id"
            ),
        ]
        indexes = [
            # The reconciler's look for calls left `placing` (callbacks.services.calls.calls_reconcile_stuck).
            models.Index(fields=["started_at"], condition=Q(status="placing"), name="call_placing"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id or '-'} ({self.status})"


class TelephonyEventKind(models.TextChoices):
    MESSAGE_STATUS = "message_status", _("Message status")
    CALL_STATUS = "call_status", _("Call status")
    INBOUND_SMS = "inbound_sms", _("Inbound SMS")


class TelephonyEvent(models.Model):
    """A signed webhook as it came, so every state change can be explained."""

    Kind = TelephonyEventKind

    kind = models.CharField(_("kind"), max_length=16, choices=TelephonyEventKind.choices)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    followup = models.ForeignKey(FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("telephony event")
        verbose_name_plural = _("telephony events")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TelephonyEventKind.values), name="telephony_event_kind_valid")
        ]
        indexes = [models.Index(fields=["provider_id"], name="telephony_event_provider_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_id}"


class NumberOptOut(models.Model):
    """A phone number that replied STOP (or another opt-out word of the store) to a store's SMS: none of the store's
    SMS goes to it, whoever holds the number now, until START or UNSTOP comes from it (ADR 0049). Twilio's refusal of
    a store's message to the number (21610) records it too, with no reply's id. Twilio's own keywords and its refusal
    record it for every store, as every store sends from our one number. Kept once lifted, with the reply that last
    changed it; written by callbacks.services.numbers only."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    phone = models.CharField(_("phone (E.164)"), max_length=20)
    # The customer the reply was matched to: whom the store last texted at the number, or who holds it. None when the
    # store has neither and Twilio's own keyword (or its refusal) reached it through our shared sending number.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    opted_out = models.BooleanField(_("opted out"))
    changed_at = models.DateTimeField(_("changed at"))
    message_sid = models.CharField(_("reply's provider id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("number opted out")
        verbose_name_plural = _("numbers opted out")
        constraints = [models.UniqueConstraint(fields=["store", "phone"], name="number_opt_out_once_per_store")]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.phone} ({'out' if self.opted_out else 'in'})"


class ContactLog(models.Model):
    """The contact ledger: one row per message sent or call placed, written by the sender in the same transaction
    as its claim or call (callbacks.services.gate.contact_record). The gate's per-purpose caps count these rows."""

    Channel = ContactChannel
    Purpose = ContactPurpose

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts", db_index=False)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    channel = models.CharField(_("channel"), max_length=8, choices=ContactChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ContactPurpose.choices)
    at = models.DateTimeField(_("at"))
    # What made the contact ("care_sms", "click_to_call", "delay_notice", ...), for the customer's history.
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contact ledger")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ContactChannel.values), name="contact_channel_valid"),
            models.CheckConstraint(condition=Q(purpose__in=ContactPurpose.values), name="contact_purpose_valid"),
        ]
        indexes = [
            # The caps: a customer's recent contacts of a purpose, and an order's.
            models.Index(fields=["customer", "purpose", "at"], name="contact_customer_purpose_at"),
            models.Index(fields=["order", "purpose"], condition=Q(order__isnull=False), name="contact_order_purpose"),
            # The admin's list: a store's contacts, and a range of their times within it (crm.admin_dates).
            models.Index(fields=["store", "at"], name="contact_store_at"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose} → {self.customer_id} @ {self.at:%Y-%m-%d %H:%M}"
