"""Planned calls the customer's own wishes now rule out: a profile change (do not contact, SMS only, no calls, the
phone or marketing consent removed) or an opt-out reply (STOP, 退订: no marketing calls, gate rule 4) takes back the
calls still waiting for an agent, with the gate's reason, so the queue no longer offers them (and a call that rang
unanswered while the wish was recorded, instead of its retry: `outcomes.followup_log_outcome`); a care call becomes the
care SMS the customer still allows (one live contact per order). The hour is no wish: a call outside its window is
left for its window. The orders merged into a care call taken back (ADR 0051) are covered again: by the care SMS
instead (`outcomes.care_sms_instead` takes them in), else, where the wish does not rule them out, by the best of them
planned again (`merged.followups_cover_merged`); a wish against every contact covers them too. The app that asked
for a call task taken back hears of it (`signals.call_tasks_withdrawn`)."""

from django.db import transaction
from django.utils import timezone

from callbacks.models import CALL_CHANNELS, ContactChannel, FollowUp, FollowUpPurpose, RefusalReason
from callbacks.signals import call_tasks_withdrawn
from crm.models import Customer

from .gate import contact_decide, gate_purpose
from .merged import followups_cover_merged
from .outcomes import care_sms_instead

WISHES = frozenset(
    {
        RefusalReason.DO_NOT_CONTACT,
        RefusalReason.NO_CALLS,
        RefusalReason.NO_PHONE,
        RefusalReason.NO_MARKETING_CONSENT,
        RefusalReason.SMS_OPT_OUT,
        RefusalReason.MARKETING_OPT_OUT,
    }
)


@transaction.atomic
def calls_withdraw_refused(*, customer: Customer) -> list[FollowUp]:
    """The customer's planned calls that the gate now refuses for one of their wishes, suppressed; returns them."""
    now = timezone.now()
    withdrawn = []
    waiting = FollowUp.objects.select_for_update(of=("self",)).filter(
        customer=customer, status=FollowUp.Status.PLANNED, channel__in=CALL_CHANNELS
    )
    for followup in waiting.select_related("order", "store").order_by("pk"):
        decision = contact_decide(
            customer=customer, channel=ContactChannel.CALL, purpose=gate_purpose(followup.purpose), at=now,
            order=followup.order,
        )  # fmt: skip
        if decision or decision.reason not in WISHES:
            continue
        followup.status, followup.suppressed_reason = FollowUp.Status.SUPPRESSED, decision.reason
        followup.save(update_fields=["status", "suppressed_reason", "updated_at"])
        care_sms_instead(followup=followup, now=now)  # which takes in what was merged into the call
        withdrawn.append(followup)
    # In this transaction, the customer held (ADR 0037): nothing merged into a call taken back with no care SMS
    # instead is left uncovered.
    followups_cover_merged(withdrawn=[followup.pk for followup in withdrawn], now=now)
    if tasks := [followup for followup in withdrawn if followup.purpose != FollowUpPurpose.CARE]:
        call_tasks_withdrawn.send(sender=FollowUp, followups=tasks)
    return withdrawn
