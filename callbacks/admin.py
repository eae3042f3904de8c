from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.models import (
    OUTCOME_LABELS,
    Call,
    CallAttempt,
    CallScript,
    CaseCall,
    ContactLog,
    FollowUp,
    FollowUpPolicy,
    NumberOptOut,
    RefusalReason,
    SuppressedReason,
    TelephonyEvent,
)
from callbacks.services.policy import policy_validate
from callbacks.services.replan import followups_follow_policy
from callbacks.services.withdrawals import policy_withdrawals_check
from crm.admin_mixins import CheckedAdmin, KeyedSearchAdmin, ServiceWrittenAdmin, choices_filter, masked_phone
from crm.admin_mixins.dates import StoreDateRangeFilter, StoreFilter
from crm.withdrawals import WithdrawalsConfirmField

# What a call or an attempt belongs to, with what their labels read (a follow-up's customer and order, a case
# call's customer).
SUBJECTS = ["followup__customer", "followup__order", "case_call__customer"]
# Why a follow-up was suppressed: the gate's refusals (a call task refused when it was asked for), planning's own.
SUPPRESSED_REASONS = {**dict(RefusalReason.choices), **dict(SuppressedReason.choices)}


@admin.register(FollowUp)
class FollowUpAdmin(KeyedSearchAdmin):
    list_display = [
        *("id", "store", "customer", "purpose", "tier", "channel", "status", "window_start", "assignee", "overflowed"),
    ]
    list_filter = [
        ("store", StoreFilter),
        *("purpose", "tier", "channel", "status", "overflowed"),
        ("outcome", choices_filter(OUTCOME_LABELS.items())),
        ("suppressed_reason", choices_filter(SUPPRESSED_REASONS.items())),
        ("window_start", StoreDateRangeFilter),
    ]
    customer_key, order_key = "customer", "order"
    # The order too: each row's checkbox is labelled with the follow-up's name, which names its order.
    list_select_related = ["store", "customer", "order", "assignee__user"]
    phone_fields = ("recipient",)

    def view_on_site(self, obj):
        return reverse("callbacks:panel", args=[obj.pk])


@admin.register(CaseCall)
class CaseCallAdmin(ServiceWrittenAdmin):
    list_display = ["id", "case", "store", "customer", "assignee", "status", "attempts", "outcome", "created_at"]
    list_filter = ["store", "status", "outcome"]
    list_select_related = ["case__customer", "store", "customer", "assignee__user"]

    def view_on_site(self, obj):
        return reverse("callbacks:case-call", args=[obj.pk])


@admin.register(CallAttempt)
class CallAttemptAdmin(ServiceWrittenAdmin):
    list_display = ["followup", "case_call", "seq", "outcome", "agent", "at", "case"]
    list_filter = ["outcome"]
    list_select_related = [*SUBJECTS, "agent__user", "case__customer"]


@admin.register(CallScript)
class CallScriptAdmin(CheckedAdmin):
    list_display = ["store", "updated_by", "updated_at"]
    list_select_related = ["store", "updated_by__user"]
    raw_id_fields = ["updated_by"]


class FollowUpPolicyAdminForm(forms.ModelForm):
    # Not a setting: ticked, the number of campaign contacts the new hours withdraw that the admin confirms (ADR 0046).
    confirm_withdrawals = WithdrawalsConfirmField(help_text=WithdrawalsConfirmField.admin_help)


def _policy_withdrawals_check(policy: FollowUpPolicy, confirmed: int | None) -> int:
    """New hours that would withdraw campaign contacts are saved only once the admin confirms as many, as on the
    policy page (ADR 0046)."""
    was = FollowUpPolicy.objects.filter(pk=policy.pk).first() or FollowUpPolicy(store=policy.store)
    return policy_withdrawals_check(store=policy.store, was=was, policy=policy, now=timezone.now(), confirmed=confirmed)


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(CheckedAdmin):
    list_display = ["store", "currency", "call_window_start", "call_window_end", "sms_language", "overflow_rule"]
    list_filter = ["sms_language", "overflow_rule"]
    form = FollowUpPolicyAdminForm
    withdrawals_check = staticmethod(_policy_withdrawals_check)

    def service_check(self, obj: FollowUpPolicy) -> None:
        policy_validate(obj)

    def save_model(self, request, obj, form, change):
        """New hours move the store's contacts already planned, as on the policy page (ADR 0029)."""
        was = (FollowUpPolicy.objects.filter(pk=obj.pk).first() if change else None) or FollowUpPolicy(store=obj.store)
        super().save_model(request, obj, form, change)
        followups_follow_policy(store=obj.store, was=was, policy=obj, now=timezone.now())


@admin.register(Call)
class CallAdmin(ServiceWrittenAdmin):
    list_display = ["provider_id", "followup", "case_call", "agent", "status", "started_at", "duration_seconds"]
    list_filter = ["status"]
    list_select_related = [*SUBJECTS, "agent__user"]
    search_fields = ["provider_id__exact"]


@admin.register(TelephonyEvent)
class TelephonyEventAdmin(ServiceWrittenAdmin):
    list_display = ["kind", "provider_id", "followup", "received_at"]
    list_filter = ["kind"]
    list_select_related = ["followup__customer", "followup__order"]
    search_fields = ["provider_id__exact"]
    # The webhook as it came: numbers (From, To, a reply's Body) and names masked (ADR 0033).
    payload_fields = ("payload",)
    payload_customer = "followup__customer"


@admin.register(ContactLog)
class ContactLogAdmin(ServiceWrittenAdmin):
    """The contact ledger is written by senders only, and the gate's caps count it (ADR 0017)."""

    list_display = ["at", "store", "customer", "order", "channel", "purpose", "source"]
    # No filter on the source: each sender names its own, with no list to choose from but the values over every row
    # (choices_filter); the channel and the purpose say what a contact was.
    list_filter = [("store", StoreFilter), "channel", "purpose", ("at", StoreDateRangeFilter)]
    list_select_related = ["store", "customer", "order__store"]


@admin.register(NumberOptOut)
class NumberOptOutAdmin(KeyedSearchAdmin):
    """Numbers that replied STOP to a store's SMS (ADR 0049): written by the inbound SMS, as the reply said, and by the
    sweeper when Twilio refuses a message to the number as opted out (21610; no reply's id then)."""

    list_display = ["store", masked_phone("phone", _("Phone")), "customer", "opted_out", "changed_at"]
    list_filter = [("store", StoreFilter), "opted_out"]
    list_select_related = ["store", "customer"]
    search_fields = ["phone"]  # the number as stored (E.164), in the (store, phone) index
    customer_key = "customer"
    phone_fields = ("phone",)
