"""The per-store follow-up policy: read with defaults, validate, change (changes apply to later planning; a change of
the hours moves the contacts already planned and still to come, ADR 0029)."""

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.errors import PolicyInvalid
from callbacks.models import FollowUpChannel, FollowUpPolicy, OverflowRule, SmsLanguage
from crm.models import Store
from crm.placeholders import PlaceholderBraceOpen, PlaceholderNotPlain, placeholder_names
from crm.platform_rules import ensure_no_review_incentive
from crm.readable.policy import list_text, stored_setting
from crm.services.audit import audit_record
from crm.validators import currency_code_problem, is_ascii_decimal

from .opt_out import OPT_IN_WORDS, reply_word

TEMPLATE_FIELDS = frozenset({"name", "product", "store", "hotline"})
EDITABLE = (
    "currency", "exchange_rates", "tiers", "call_window_start", "call_window_end", "call_days", "sms_send_from",
    "sms_send_until", "sms_language", "sms_template_zh", "sms_template_en", "sms_opt_out_zh", "sms_opt_out_en",
    "opt_out_words", "max_call_attempts", "overflow_rule", "call_hours_from", "call_hours_until",
    "logistics_cap_per_order", "marketing_cap", "marketing_cap_days",
)  # fmt: skip
# Upper bounds a manager may set for the contact gate's caps (a typo of 100 would be pestering, not a policy).
MAX_CAP = 10
MAX_CAP_DAYS = 365
# The longest text a store writes for an SMS (a care SMS template, a campaign's or birthday wording), as a parcel
# notice (logistics.services.policy.TEMPLATE_MAX_LENGTH): Twilio refuses a body past 1,600 characters (error 21617),
# an emoji counting twice, and the placeholders' values and the opt-out wording are added to it.
SMS_TEMPLATE_MAX_LENGTH = 500


def policy_for_store(*, store: Store) -> FollowUpPolicy:
    """The store's saved policy, or the defaults (unsaved) when its manager never changed them."""
    try:
        return store.followup_policy
    except FollowUpPolicy.DoesNotExist:
        return FollowUpPolicy(store=store)


def _template_errors(template: str, field: str) -> None:
    if not template.strip():
        raise PolicyInvalid(_("An SMS template cannot be empty."), field=field)
    if len(template) > SMS_TEMPLATE_MAX_LENGTH:
        raise PolicyInvalid(
            _("An SMS template is limited to %(limit)d characters.") % {"limit": SMS_TEMPLATE_MAX_LENGTH}, field=field
        )
    allowed = ", ".join(sorted(f"{{{n}}}" for n in TEMPLATE_FIELDS))
    try:
        names = placeholder_names(template)
    except PlaceholderNotPlain as exc:
        raise PolicyInvalid(str(exc), field=field) from None
    except PlaceholderBraceOpen:
        raise PolicyInvalid(
            _("A brace is not closed: write placeholders as %(allowed)s.") % {"allowed": allowed}, field=field
        ) from None
    unknown = names - TEMPLATE_FIELDS
    if unknown:
        raise PolicyInvalid(
            _("Unknown placeholder %(name)s; use %(allowed)s.") % {"name": sorted(unknown)[0], "allowed": allowed},
            field=field,
        )
    ensure_no_review_incentive(template, field=field)


def _caps_validate(policy: FollowUpPolicy) -> None:
    for field in ("logistics_cap_per_order", "marketing_cap"):
        value = getattr(policy, field)
        if not isinstance(value, int) or not 0 <= value <= MAX_CAP:
            raise PolicyInvalid(_("A cap is a whole number from 0 to %(max)d.") % {"max": MAX_CAP}, field=field)
    days = policy.marketing_cap_days
    if not isinstance(days, int) or not 1 <= days <= MAX_CAP_DAYS:
        raise PolicyInvalid(
            _("The marketing period is from 1 to %(max)d days.") % {"max": MAX_CAP_DAYS}, field="marketing_cap_days"
        )


def policy_validate(policy: FollowUpPolicy) -> None:
    """Raise PolicyInvalid naming the field for anything the database constraints cannot say."""
    previous = Decimal("-1")
    if not isinstance(policy.tiers, list):
        raise PolicyInvalid(_("Tiers must be a list."), field="tiers")
    for index, tier in enumerate(policy.tiers):
        try:
            minimum = Decimal(str(tier["min_amount"]))
        except (KeyError, TypeError, InvalidOperation) as exc:
            raise PolicyInvalid(_("Each tier needs a decimal amount."), field=f"tiers.{index}.min_amount") from exc
        if tier.get("channel") not in FollowUpChannel.values:
            raise PolicyInvalid(_("Unknown channel."), field=f"tiers.{index}.channel")
        if minimum < 0 or minimum <= previous:
            raise PolicyInvalid(_("Tier amounts must be non-negative and rise strictly."), field=f"tiers.{index}")
        previous = minimum
    if problem := currency_code_problem(policy.currency):
        raise PolicyInvalid(problem, field="currency")
    # The page's form always sends an object; the admin's JSON field may send null, a number or a list.
    if not isinstance(policy.exchange_rates, dict):
        raise PolicyInvalid(
            _('Exchange rates are each a currency code and its rate, as {"EUR": "7.80"}.'), field="exchange_rates"
        )
    for code, rate in policy.exchange_rates.items():
        if problem := currency_code_problem(code):
            raise PolicyInvalid(problem, field="exchange_rates")
        try:
            # Digits 0-9 and a point only, as every number a page or the API takes (crm.validators): Decimal() also
            # reads "７.８" and "7_80".
            if not is_ascii_decimal(str(rate)):
                raise InvalidOperation
            number = Decimal(str(rate))
            if not number.is_finite() or number <= 0:
                raise InvalidOperation
        except InvalidOperation as exc:
            raise PolicyInvalid(
                _("The rate for %(code)s must be a positive number.") % {"code": code}, field="exchange_rates"
            ) from exc
    if policy.call_window_end <= policy.call_window_start:
        raise PolicyInvalid(_("The call window must end after it starts."), field="call_window_end")
    if policy.call_hours_until <= policy.call_hours_from:
        raise PolicyInvalid(_("Call hours must end after they start."), field="call_hours_until")
    if policy.call_window_start < policy.call_hours_from or policy.call_window_end > policy.call_hours_until:
        raise PolicyInvalid(_("The evening call window must lie within the call hours."), field="call_window_start")
    _caps_validate(policy)
    if policy.sms_send_until <= policy.sms_send_from:
        raise PolicyInvalid(_("SMS sending hours must end after they start."), field="sms_send_until")
    days = policy.call_days
    if not days or not isinstance(days, list) or any(d not in range(7) for d in days):
        raise PolicyInvalid(_("Choose at least one call day (0 is Monday, 6 Sunday)."), field="call_days")
    _template_errors(policy.sms_template_zh, "sms_template_zh")
    _template_errors(policy.sms_template_en, "sms_template_en")
    if policy.sms_language not in SmsLanguage.values:
        raise PolicyInvalid(_("Unknown SMS language."), field="sms_language")
    if policy.overflow_rule not in OverflowRule.values:
        raise PolicyInvalid(_("Unknown overflow rule."), field="overflow_rule")
    if policy.max_call_attempts < 1:
        raise PolicyInvalid(_("At least one call attempt."), field="max_call_attempts")
    if not isinstance(policy.opt_out_words, list) or not all(
        isinstance(w, str) and w.strip() for w in policy.opt_out_words
    ):
        raise PolicyInvalid(_("Opt-out words must be non-empty words."), field="opt_out_words")
    for field in ("sms_opt_out_zh", "sms_opt_out_en"):
        # Replying the word it names opts the customer out (callbacks.services.opt_out): it must name one, not START.
        if reply_word(getattr(policy, field)) in (None, *OPT_IN_WORDS):
            raise PolicyInvalid(
                _("The opt-out wording must name the word to reply, as in 回T退订 or Reply STOP to opt out."),
                field=field,
            )


@transaction.atomic
def policy_update(
    *, store: Store, actor, changes: dict[str, Any], withdrawals_confirmed: int | None = None
) -> FollowUpPolicy:
    """Change a store's policy (validated whole, audited). Deliveries planned earlier keep their tier and channel;
    a change of the call window, call days, call hours or SMS sending hours places their contacts still to come
    again by the new hours, in this transaction (services.replan, ADR 0029).

    New hours that would withdraw contacts of running campaigns (messages the SMS hours leave no time for, ADR 0044;
    return visits new call hours move past their campaign's end, ADR 0035) are saved only when the manager confirmed
    at least that many (`withdrawals_confirmed`, the number the form showed); else WithdrawalsNotConfirmed names the
    campaigns and nothing is saved (ADR 0046)."""
    from .replan import followups_follow_policy
    from .withdrawals import policy_withdrawals_check

    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise PolicyInvalid(
            _("%(name)s is not a policy setting.") % {"name": sorted(unknown)[0]}, field=sorted(unknown)[0]
        )
    policy = FollowUpPolicy.objects.select_for_update().filter(store=store).first() or FollowUpPolicy(store=store)
    before = {name: str(getattr(policy, name)) for name in changes}
    was = copy.copy(policy)
    for name, value in changes.items():
        setattr(policy, name, value)
    policy_validate(policy)
    now = timezone.now()
    withdrawn = policy_withdrawals_check(store=store, was=was, policy=policy, now=now, confirmed=withdrawals_confirmed)
    policy.save()
    followups_follow_policy(store=store, was=was, policy=policy, now=now)
    data = {"before": before, "after": {name: str(value) for name, value in changes.items()}}
    if withdrawn:
        data["campaign_contacts_withdrawn"] = withdrawn
    audit_record(actor=actor, action="followup_policy_changed", store=store, target=store.code, data=data)
    return policy


# How the audit page shows the policy's list and dict settings (crm.readable.audit_action_register, in apps.py):
# entries hold them as policy_update wrote them, the setting's Python text.
def tiers_text(value: Any) -> str:
    """The tiers in words: "500.00 起：关怀短信、1500.00 起：电话回访"."""
    tiers = stored_setting(value)
    if not isinstance(tiers, list) or not all(
        isinstance(t, dict) and {"min_amount", "channel"} <= t.keys() for t in tiers
    ):
        return list_text(tiers)
    channels = dict(FollowUpChannel.choices)
    return list_text(
        [
            _("%(channel)s from %(amount)s")
            % {"channel": channels.get(t["channel"], t["channel"]), "amount": t["min_amount"]}
            for t in tiers
        ]
    )


def exchange_rates_text(value: Any) -> str:
    """The exchange rates as the policy page writes them: "EUR 7.80"."""
    rates = stored_setting(value)
    if not isinstance(rates, dict):
        return list_text(rates)
    return list_text([f"{code} {rate}" for code, rate in sorted(rates.items())])
