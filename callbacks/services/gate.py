"""The contact gate: the one place that decides whether, and when, a customer may be contacted (ADR 0017).

Every sender asks it before an SMS or a call (care SMS dispatch, follow-up planning, call outcomes, click to
call, call tasks, logistics notices, campaigns) and records what it did in the contact ledger (`ContactLog`) in
the same transaction, so the caps count every contact, whoever made it. A refusal carries a reason code
(`RefusalReason`) that agents see; a refusal that is only about the hour carries `not_before`, the earliest
moment it may happen.

The rules, in the order they are asked (the first that refuses answers):

1. `no_phone`: nothing to dial or text.
2. `do_not_contact`: the customer's contact preference.
3. `no_calls`: a call to a customer who wants no calls or SMS only.
4. `sms_opt_out`: an SMS to a customer who opted out (STOP, 退订); `marketing_opt_out`: a marketing call to them
   (the reply said "stop marketing me", and a return visit is marketing). Their care, logistics and case calls
   still go. `number_opted_out`: an SMS to a number that replied STOP to the store's messages, whoever holds it now
   (ADR 0049): the customer's phone, or the number a claimed message goes to.
5. `no_marketing_consent`: marketing needs consent recorded with when and how it was given.
6. `cap_reached`: the store's per-customer caps, counted from the ledger: logistics messages per order; marketing
   contacts per rolling period of days, messages and calls alike (a call once per order it is about, its attempts
   bounded by the store's maximum). Care and case calls are not capped: an agent sees the history.
7. `quiet_hours` (SMS outside the store's sending hours) and `outside_call_window` (a call outside the store's
   call hours), both in the store's own time zone.

Rules 1-6 stand until the customer's data or the ledger changes; rule 7 only says "not now". Automatic senders
wait for `not_before`; an agent may override rule 7 on click to call only, explicitly and audited
(`contact_override`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.errors import OverrideNotAllowed
from callbacks.models import (
    ContactChannel,
    ContactLog,
    ContactPurpose,
    FollowUpPolicy,
    FollowUpPurpose,
    NumberOptOut,
    RefusalReason,
)
from crm.models import Agent, Customer, Order, Store
from crm.services.audit import audit_record
from crm.services.customers import customer_update_profile
from crm.timezones import to_store_local

from .policy import policy_for_store
from .rows import contacts_insert
from .windows import daily_window

__all__ = [
    "TIME_REASONS",
    "ContactChannel",
    "ContactDecision",
    "ContactPurpose",
    "ContactRow",
    "RefusalReason",
    "contact_decide",
    "contact_override",
    "contact_record",
    "contacts_decide",
    "contacts_forget",
    "contacts_record",
    "contacts_refused_now",
    "customer_stop_calls",
    "customers_opt_out_sms",
    "gate_purpose",
]

# Refusals that only say "not now": the one kind an agent may override on click to call.
TIME_REASONS = frozenset({RefusalReason.QUIET_HOURS, RefusalReason.OUTSIDE_CALL_WINDOW})
_CALL_REFUSING_PREFERENCES = (Customer.ContactPreference.NO_CALLS, Customer.ContactPreference.SMS_ONLY)


@dataclass(frozen=True, slots=True)
class ContactDecision:
    allowed: bool
    reason: str = ""  # "" when allowed, else a RefusalReason value
    not_before: datetime | None = None  # aware UTC: when a "not now" refusal ends (or a cap frees up)
    detail: str = ""  # human text for agents, translated

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def only_the_hour(self) -> bool:
        """Refused only because of the time of day: an automatic sender waits, an agent may override."""
        return self.reason in TIME_REASONS


ALLOWED = ContactDecision(allowed=True)


@dataclass(frozen=True, slots=True)
class ContactRow:
    customer_id: int
    store_id: int
    channel: str
    purpose: str
    order_id: int | None = None
    at: datetime | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the rules read about a customer: plain values, so a sweep of 100,000 stays cheap."""

    id: int
    phone: str
    contact_preference: str
    sms_opt_out: bool
    marketing_consent_at: datetime | None
    # The number the SMS would go to replied STOP to the customer's store (NumberOptOut).
    number_opted_out: bool = False
    store_id: int = 0


# What each kind of follow-up is, to the gate. A return visit brings a customer back: marketing, so it needs
# consent (ADR 0017).
_GATE_PURPOSE = {
    FollowUpPurpose.CARE: ContactPurpose.CARE,
    FollowUpPurpose.LOGISTICS: ContactPurpose.LOGISTICS,
    FollowUpPurpose.RETURN_VISIT: ContactPurpose.MARKETING,
}


def gate_purpose(followup_purpose: str) -> str:
    """The gate's purpose for a follow-up's purpose."""
    return _GATE_PURPOSE[followup_purpose].value


_FACT_FIELDS = ("id", "phone", "contact_preference", "sms_opt_out", "marketing_consent_at")


def _facts(customers) -> list[_Facts]:
    """The customers' facts in one query; whether their phone opted out of their store's SMS is asked inside it
    (ADR 0049)."""
    opted_out = NumberOptOut.objects.filter(store_id=OuterRef("store_id"), phone=OuterRef("phone"), opted_out=True)
    rows = customers.annotate(phone_opted_out=Exists(opted_out))
    return [_Facts(*row) for row in rows.values_list(*_FACT_FIELDS, "phone_opted_out", "store_id").order_by()]


def _recipients_opted_out(facts: dict[int, _Facts], recipients: Mapping[int, str]) -> dict[int, _Facts]:
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


def _refuse(reason: RefusalReason, detail: str, not_before: datetime | None = None) -> ContactDecision:
    return ContactDecision(allowed=False, reason=reason.value, not_before=not_before, detail=detail)


# -- the standing rules (1-5): the customer's data only ---------------------------------------------------------


def _standing(facts: _Facts, channel: str, purpose: str) -> ContactDecision | None:
    if not facts.phone:
        return _refuse(RefusalReason.NO_PHONE, _("The customer has no phone number."))
    if facts.contact_preference == Customer.ContactPreference.DO_NOT_CONTACT:
        return _refuse(RefusalReason.DO_NOT_CONTACT, _("The customer asked not to be contacted."))
    if channel == ContactChannel.CALL and facts.contact_preference in _CALL_REFUSING_PREFERENCES:
        return _refuse(RefusalReason.NO_CALLS, _("The customer asked not to be called."))
    if facts.sms_opt_out and channel == ContactChannel.SMS:
        return _refuse(RefusalReason.SMS_OPT_OUT, _("The customer opted out of SMS."))
    if facts.number_opted_out and channel == ContactChannel.SMS:
        return _refuse(RefusalReason.NUMBER_OPTED_OUT, _("The number replied STOP to the store's messages."))
    if facts.sms_opt_out and purpose == ContactPurpose.MARKETING:
        return _refuse(
            RefusalReason.MARKETING_OPT_OUT, _("The customer opted out of our messages: no marketing calls.")
        )
    if purpose == ContactPurpose.MARKETING and facts.marketing_consent_at is None:
        return _refuse(RefusalReason.NO_MARKETING_CONSENT, _("The customer has not agreed to marketing."))
    return None


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
    _validate(channel, ContactPurpose.CARE)
    wanted = set(wanted)
    if not wanted:
        return {}
    ids = list({customer_id for customer_id, _purpose in wanted})
    facts = _recipients_opted_out({f.id: f for f in _facts(Customer.objects.filter(id__any_of=ids))}, recipients or {})
    refusals = {}
    for customer_id, purpose in wanted:
        if customer_id not in facts:
            continue
        refusal = _standing(facts[customer_id], channel, purpose)
        if refusal is not None:
            refusals[(customer_id, purpose)] = refusal
    return refusals


# -- the caps (6): counted from the ledger, one grouped query for any number of customers -----------------------


@dataclass(frozen=True, slots=True)
class _Cap:
    limit: int
    per_order: bool  # counted per order (logistics), else per customer over `days`
    days: int | None = None


def _cap(policy: FollowUpPolicy, channel: str, purpose: str) -> _Cap | None:
    """Logistics caps messages per order; marketing caps a customer's contacts on every channel, messages and calls
    alike (ADR 0026). Care and case contacts are bounded by planning (one a day) and by the call attempts."""
    if purpose == ContactPurpose.LOGISTICS and channel == ContactChannel.SMS:
        return _Cap(limit=policy.logistics_cap_per_order, per_order=True)
    if purpose == ContactPurpose.MARKETING:
        return _Cap(limit=policy.marketing_cap, per_order=False, days=policy.marketing_cap_days)
    return None


def _cap_usage(
    cap: _Cap, channel: str, purpose: str, customer_ids: list[int], order_ids: Mapping[int, int], at: datetime
) -> dict[int, tuple[int, datetime | None]]:
    """{customer id: (contacts counted, the oldest counted one's time)} in one query."""
    ledger = ContactLog.objects.filter(purpose=purpose)
    wanted = {order_ids[c] for c in customer_ids if order_ids.get(c) is not None}
    if cap.per_order:
        if not wanted:
            return {}
        rows = (
            ledger.filter(channel=ContactChannel.SMS, order_id__in=wanted)
            .values("order_id")
            .annotate(n=Count("id"), first=Min("at"))
        )
        by_order = {row["order_id"]: (row["n"], row["first"]) for row in rows}
        return {c: by_order[order_ids[c]] for c in customer_ids if order_ids.get(c) in by_order}
    # Every message counts; a call counts once per order it was about (its attempts are one contact, bounded by the
    # store's maximum attempts), and a call's own earlier attempts do not hold it back.
    messages = Q(channel=ContactChannel.SMS)
    calls = Q(channel=ContactChannel.CALL)
    if channel == ContactChannel.CALL and wanted:
        calls &= ~Q(order_id__in=wanted)
    since = at - timedelta(days=cap.days)
    rows = (
        ledger.filter(messages | calls, customer_id__in=customer_ids, at__gt=since)
        .values("customer_id")
        .annotate(n=Count("id", filter=messages) + Count("order_id", filter=calls, distinct=True), first=Min("at"))
    )
    return {row["customer_id"]: (row["n"], row["first"]) for row in rows}


def _capped(cap: _Cap, used: tuple[int, datetime | None] | None) -> ContactDecision | None:
    count, first = used or (0, None)
    if count < cap.limit:
        return None
    if cap.per_order:
        detail = _("The store allows %(limit)d such messages per order; %(count)d were sent.") % {
            "limit": cap.limit,
            "count": count,
        }
        return _refuse(RefusalReason.CAP_REACHED, detail)
    frees_at = first + timedelta(days=cap.days) if first is not None else None
    detail = _(
        "The store allows %(limit)d marketing contacts (messages or calls) per %(days)d days; %(count)d were made."
    ) % {
        "limit": cap.limit,
        "days": cap.days,
        "count": count,
    }
    return _refuse(RefusalReason.CAP_REACHED, detail, not_before=frees_at)


# -- the hour (7): the store's sending hours and call hours, in its time zone -----------------------------------


def _hour(policy: FollowUpPolicy, store: Store, channel: str, at: datetime) -> ContactDecision | None:
    if channel == ContactChannel.SMS:
        opens, closes = policy.sms_send_from, policy.sms_send_until
        reason = RefusalReason.QUIET_HOURS
    else:
        opens, closes = policy.call_hours_from, policy.call_hours_until
        reason = RefusalReason.OUTSIDE_CALL_WINDOW
    start, _end = daily_window(store=store, opens=opens, closes=closes, moment=at)
    if start <= at:
        return None
    local = to_store_local(at, store)
    detail = _(
        "It is %(now)s for the customer (%(zone)s); the store contacts customers between %(opens)s and %(closes)s."
    ) % {"now": f"{local:%H:%M}", "zone": store.timezone, "opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}
    return _refuse(reason, detail, not_before=start)


# -- the decision ------------------------------------------------------------------------------------------------


def _decide(
    facts: _Facts,
    *,
    channel: str,
    purpose: str,
    cap: _Cap | None,
    used: tuple[int, datetime | None] | None,
    hour: ContactDecision | None,
) -> ContactDecision:
    """`hour` is rule 7's answer, the same for every customer of the store at that moment."""
    # Refusals are falsy (`__bool__`), so the first one found is returned explicitly, not through `or`.
    for refusal in (
        _standing(facts, channel, purpose),
        _capped(cap, used) if cap is not None else None,
        hour,
    ):
        if refusal is not None:
            return refusal
    return ALLOWED


def _validate(channel: str, purpose: str) -> None:
    if channel not in ContactChannel.values:
        raise ValueError(f"unknown contact channel {channel!r}")
    if purpose not in ContactPurpose.values:
        raise ValueError(f"unknown contact purpose {purpose!r}")


def contacts_decide(
    *,
    store: Store,
    customer_ids: Iterable[int],
    channel: str,
    purpose: str,
    at: datetime | None = None,
    order_ids: Mapping[int, int] | None = None,
) -> dict[int, ContactDecision]:
    """The gate's answer for many customers of one store, in a fixed number of queries (customers; the ledger
    when the purpose has a cap; the store's policy unless `store` came with it). `order_ids` maps a customer id
    to the order the contact is about (the logistics cap counts per order). Unknown ids are left out."""
    _validate(channel, purpose)
    at = at or timezone.now()
    ids = list(set(customer_ids))
    if not ids:
        return {}
    policy = policy_for_store(store=store)
    facts = _facts(Customer.objects.filter(store=store, id__any_of=ids))
    cap = _cap(policy, channel, purpose)
    usage = _cap_usage(cap, channel, purpose, [f.id for f in facts], order_ids or {}, at) if cap is not None else {}
    hour = _hour(policy, store, channel, at)
    return {f.id: _decide(f, channel=channel, purpose=purpose, cap=cap, used=usage.get(f.id), hour=hour) for f in facts}


def contact_decide(
    *, customer: Customer, channel: str, purpose: str, at: datetime | None = None, order: Order | None = None
) -> ContactDecision:
    """The gate's answer for one customer: may they be contacted on `channel` for `purpose` at `at` (now)?"""
    store = customer.store
    order_ids = {customer.pk: order.pk} if order is not None else None
    return contacts_decide(
        store=store, customer_ids=[customer.pk], channel=channel, purpose=purpose, at=at, order_ids=order_ids
    )[customer.pk]


# -- the ledger --------------------------------------------------------------------------------------------------


def contacts_record(*, rows: Iterable[ContactRow]) -> None:
    """Write contacts to the ledger in one statement. Call it in the transaction that claims or makes them."""
    now = timezone.now()
    contacts_insert(
        [
            (row.store_id, row.customer_id, row.order_id, row.channel, row.purpose, row.at or now, row.source)
            for row in rows
        ]
    )


def contacts_forget(
    *, at: datetime, source: str, order_ids: Iterable[int] = (), customer_ids: Iterable[int] = ()
) -> None:
    """Take back ledger rows of a claim given back unsent (dispatch's `_unclaim`): they were never contacts.
    Rows are named by their orders or, for contacts about no order (campaigns), by their customers."""
    named = Q(order_id__in=list(order_ids)) | Q(customer_id__in=list(customer_ids), order_id__isnull=True)
    ContactLog.objects.filter(named, at=at, source=source).delete()


def contact_record(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    order: Order | None = None,
    at: datetime | None = None,
    source: str = "",
) -> None:
    _validate(channel, purpose)
    row = ContactRow(
        customer_id=customer.pk,
        store_id=customer.store_id,
        channel=channel,
        purpose=purpose,
        order_id=order.pk if order is not None else None,
        at=at,
        source=source,
    )
    contacts_record(rows=[row])


# -- what an agent may do about a refusal ----------------------------------------------------------------------


@transaction.atomic
def contact_override(
    *, decision: ContactDecision, customer: Customer, channel: str, purpose: str, agent: Agent, subject: str
) -> ContactDecision:
    """An agent calls anyway outside the store's call hours: allowed only for a refusal about the hour, only on a
    call, and written to the audit log with who, whom, the customer's local time and the refusal overridden."""
    if decision.allowed:
        return decision
    if channel != ContactChannel.CALL or not decision.only_the_hour:
        raise OverrideNotAllowed(decision.detail or None, reason=decision.reason)
    local = to_store_local(timezone.now(), customer.store)
    audit_record(
        actor=agent.user,
        action="contact.override",
        store=customer.store,
        target=subject,
        data={
            "customer_id": customer.pk,
            "channel": channel,
            "purpose": purpose,
            "reason": decision.reason,
            "customer_local_time": local.isoformat(timespec="minutes"),
        },
    )
    return ALLOWED


# -- the rule data the gate owns: writes that change what it answers ---------------------------------------------


def customer_stop_calls(*, customer: Customer, agent: Agent) -> None:
    """The customer asked not to be called: a recorded profile change, unless their wish already rules calls out."""
    if _standing(_facts_of(customer), ContactChannel.CALL, ContactPurpose.CARE) is None:
        customer_update_profile(
            customer=customer, actor=agent.user, changes={"contact_preference": Customer.ContactPreference.NO_CALLS}
        )


@transaction.atomic
def customers_opt_out_sms(*, customer_ids: Iterable[int], opted_out: bool = True) -> list[int]:
    """Record an SMS opt-out (a STOP reply, a provider's 21610) or its withdrawal (START). A customer already in that
    state is left as they are (a second STOP writes nothing). Returns the ids of the customers changed, for the caller
    to say why in their history (services.opt_out_history).

    An opt-out also refuses marketing calls (rule 4): the customer's return visits already waiting for an agent are
    withdrawn in this transaction, with the reason (`wishes.calls_withdraw_refused`). START lifts the refusal for what
    comes later; a call withdrawn stays withdrawn."""
    # wishes asks this module; imported here so that the two can see each other.
    from .wishes import calls_withdraw_refused

    ids = list(customer_ids)
    if not ids:
        return []
    changed = list(
        Customer.objects.select_for_update(of=("self",), no_key=True)  # ADR 0037: rows naming them still go in
        .filter(pk__in=ids)
        .exclude(sms_opt_out=opted_out)
        .select_related("store")
        .order_by("pk")
    )
    Customer.objects.filter(pk__in=[c.pk for c in changed]).update(sms_opt_out=opted_out, updated_at=timezone.now())
    if opted_out:
        for customer in changed:
            customer.sms_opt_out = True
            calls_withdraw_refused(customer=customer)
    return [customer.pk for customer in changed]


def _facts_of(customer: Customer) -> _Facts:
    return _Facts(*(getattr(customer, name) for name in _FACT_FIELDS))
