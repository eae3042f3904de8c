"""The standing rules (1-5): the customer's data only, asked first and again just before a contact is made."""

from collections.abc import Iterable, Mapping
from dataclasses import replace

from django.utils.translation import gettext as _

from callbacks.models import ContactChannel, ContactPurpose, NumberOptOut, RefusalReason
from crm.models import Customer

from .decisions import ContactDecision, refuse
from .facts import Facts, facts_read
from .purposes import validate

_CALL_REFUSING_PREFERENCES = (Customer.ContactPreference.NO_CALLS, Customer.ContactPreference.SMS_ONLY)


def standing_refusal(facts: Facts, channel: str, purpose: str) -> ContactDecision | None:
    if not facts.phone:
        return refuse(RefusalReason.NO_PHONE, _("The customer has no phone number."))
    if facts.contact_preference == Customer.ContactPreference.DO_NOT_CONTACT:
        return refuse(RefusalReason.DO_NOT_CONTACT, _("The customer asked not to be contacted."))
    if channel == ContactChannel.CALL and facts.contact_preference in _CALL_REFUSING_PREFERENCES:
        return refuse(RefusalReason.NO_CALLS, _("The customer asked not to be called."))
    if facts.sms_opt_out and channel == ContactChannel.SMS:
        return refuse(RefusalReason.SMS_OPT_OUT, _("The customer opted out of SMS."))
    if facts.number_opted_out and channel == ContactChannel.SMS:
        return refuse(RefusalReason.NUMBER_OPTED_OUT, _("The number replied STOP to the store's messages."))
    if facts.sms_opt_out and purpose == ContactPurpose.MARKETING:
        return refuse(RefusalReason.MARKETING_OPT_OUT, _("The customer opted out of our messages: no marketing calls."))
    if purpose == ContactPurpose.MARKETING and facts.marketing_consent_at is None:
        return refuse(RefusalReason.NO_MARKETING_CONSENT, _("The customer has not agreed to marketing."))
    return None


def _recipients_opted_out(facts: dict[int, Facts], recipients: Mapping[int, str]) -> dict[int, Facts]:
    """The facts of the customers whose claimed message goes to a number other than their phone now (an order batch
    brought a new one since the claim), with that number's opt-out instead of their phone's: one query, and none
    when every message goes to its customer's phone, as nearly all do."""
    moved = {i: number for i, number in recipients.items() if i in facts and number != facts[i].phone}
    if not moved:
        return facts
    out = set(
        NumberOptOut.objects.filter(phone__in=set(moved.values()), opted_out=True).values_list("store_id", "phone")
    )
    return facts | {
        i: replace(facts[i], number_opted_out=(facts[i].store_id, number) in out) for i, number in moved.items()
    }


def contacts_refused_now(
    *, channel: str, wanted: Iterable[tuple[int, str]], recipients: Mapping[int, str] | None = None
) -> dict[tuple[int, str], ContactDecision]:
    """Of these (customer id, purpose) pairs of contacts on `channel` about to be made, those the customer's data
    refuses now (the standing rules 1-5: no phone, do not contact, no calls, the SMS opt-out, the number's opt-out, and
    for marketing the consent), each with the gate's refusal. Care, logistics and case contacts need no consent; a care
    call goes after an SMS opt-out. Neither the caps nor the hour are asked: the contact was counted and timed when it
    was claimed. `recipients` maps a customer id to the number a claimed SMS goes to (fixed at the claim, whatever the
    customer's phone became since); the number's opt-out is asked of it (else of the customer's phone). Read as last
    committed, in one query (a second for the numbers of messages whose customer has another phone since the claim) and
    without a lock: the last look just before an SMS batch's requests leave
    (callbacks.services.dispatch, ADR 0011) and before a call's customer is bridged in (services.calls), which hold
    no lock over them."""
    validate(channel, ContactPurpose.CARE)
    wanted = set(wanted)
    if not wanted:
        return {}
    ids = list({customer_id for customer_id, _purpose in wanted})
    facts = _recipients_opted_out(
        {f.id: f for f in facts_read(Customer.objects.filter(id__any_of=ids))}, recipients or {}
    )
    refusals = {}
    for customer_id, purpose in wanted:
        if customer_id not in facts:
            continue
        refusal = standing_refusal(facts[customer_id], channel, purpose)
        if refusal is not None:
            refusals[(customer_id, purpose)] = refusal
    return refusals
