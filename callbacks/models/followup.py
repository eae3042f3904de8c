"""Follow-ups: one planned contact after a delivery (care SMS, call, or a dedicated owner's call), or a call task
another app created for the day; suppressed ones are kept with their reason."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callbacks.models.contact import RefusalReason
from crm.models import Agent, Customer, Order, Store


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
# not deliver it, or Twilio gave up after accepting it. A parcel notice or a campaign message stays `sent` (it left us,
# at most once: ADR 0011); a care SMS becomes `failed`, the day's contact no more (ADR 0051, "Nothing merged is lost").
UNDELIVERED_STATUSES = ("undelivered", "failed")
# A row of any SMS queue (a care SMS, a parcel notice, a campaign message: they share the columns of
# callbacks.services.dispatch.SmsQueue) sent, that the provider then reported it could not deliver: it reached nobody.
# One sent with no such report (delivered, read, or no delivery report at all, as some carriers give none) did. A
# message refused when it was sent has no provider status.
SENT_UNDELIVERED = Q(status__in=("sent", "failed"), provider_status__in=UNDELIVERED_STATUSES)
# The outcome of a message the sweeper gave up on: its answers lost on each of its attempts and never found at the
# provider after the last (callbacks.services.dispatch.reconciling): never sent, and no word about its number.
SMS_GAVE_UP = "gave_up"


class FollowUpPurpose(models.TextChoices):
    """Why a follow-up exists: the delivery's care contact (planning), or a call task another app created for the
    day (a parcel at risk, a return visit) through `callbacks.services.tasks_calls.call_task_create`."""

    CARE = "care", _("After-delivery care")
    LOGISTICS = "logistics", _("Parcel at risk")
    RETURN_VISIT = "return_visit", _("Return visit")


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
