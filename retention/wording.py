"""Campaign and birthday texts: placeholders checked when saved, one wording per customer, the opt-out once.

Placeholders: {name} (the customer), {store}, {hotline}, {offer} (the offer in words), {coupon} (the code from
the pool). A wording is picked per customer by a seeded hash (crm.wording), so a campaign's messages vary the
way review replies do (crm.wording, shared with them and the letters) and a resend carries the same
text. Marketing SMS end with the store's opt-out
wording (回T退订) exactly once, whatever the template already says.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from callbacks.models import FollowUpPolicy, SmsLanguage
from callbacks.services.policy import SMS_TEMPLATE_MAX_LENGTH
from crm.errors import InvalidInput
from crm.money import money_offer_text, money_offer_text_zh
from crm.placeholders import PlaceholderBraceOpen, PlaceholderNotPlain, placeholder_names
from crm.platform_rules import ensure_no_review_incentive
from crm.wording import combination_indices, fingerprint

from .models import Campaign, OfferKind

FIELDS = frozenset({"name", "store", "hotline", "offer", "coupon"})
# What each offer kind can fill: {offer} needs an offer, {coupon} a pool of codes.
_FILLED_BY = {
    OfferKind.NONE: {"name", "store", "hotline"},
    OfferKind.FIXED_AMOUNT: {"name", "store", "hotline", "offer"},
    OfferKind.COUPON_POOL: FIELDS,
}


def distinct_wordings(texts: list[str]) -> list[str]:
    """The texts without repeats (by fingerprint: case, spaces and punctuation aside), in order."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        if (mark := fingerprint(text)) not in seen:
            seen.add(mark)
            kept.append(text)
    return kept


def _placeholders(text: str, *, field: str) -> set[str]:
    try:
        return placeholder_names(text)
    except PlaceholderNotPlain as exc:
        raise InvalidInput(str(exc), field=field) from None
    except PlaceholderBraceOpen:
        allowed = ", ".join(f"{{{n}}}" for n in sorted(FIELDS))
        raise InvalidInput(
            _("A brace is not closed: write placeholders as %(allowed)s.") % {"allowed": allowed}, field=field
        ) from None


def wordings_clean(wordings: list[str], *, offer_kind: str, field: str = "wordings") -> list[str]:
    """The distinct, non-empty wordings, or InvalidInput naming a placeholder nothing would fill."""
    texts = distinct_wordings([w.strip() for w in wordings if w and w.strip()])
    if not texts:
        raise InvalidInput(_("Write at least one wording."), field=field)
    fillable = _FILLED_BY[OfferKind(offer_kind)]
    for index, text in enumerate(texts):
        # Marketplaces forbid rewards for reviews (好评返现): refused like in every template the store writes.
        if len(text) > SMS_TEMPLATE_MAX_LENGTH:
            raise InvalidInput(
                _("A message is limited to %(limit)d characters.") % {"limit": SMS_TEMPLATE_MAX_LENGTH},
                field=f"{field}.{index}",
            )
        ensure_no_review_incentive(text, field=f"{field}.{index}")
        names = _placeholders(text, field=f"{field}.{index}")
        if "" in names or any(not n.isidentifier() for n in names):
            raise InvalidInput(_("Name every placeholder, as in {name}."), field=f"{field}.{index}")
        unknown = sorted(names - FIELDS)
        if unknown:
            raise InvalidInput(
                _("Unknown placeholder {%(name)s}; use %(allowed)s.")
                % {"name": unknown[0], "allowed": ", ".join(f"{{{n}}}" for n in sorted(FIELDS))},
                field=f"{field}.{index}",
            )
        unfilled = sorted(names - fillable)
        if unfilled:
            raise InvalidInput(
                _("Nothing fills {%(name)s} with this offer: choose an offer that does, or remove it.")
                % {"name": unfilled[0]},
                field=f"{field}.{index}",
            )
    return texts


def offer_text(*, kind: str, amount: Decimal, min_spend: Decimal, currency: str, chinese: bool) -> str:
    """The offer in words, in the store's currency (ADR 0036): "满300减50元" for yuan, "满300欧元减50欧元",
    "€50 off orders of €300" (the sign or code of crm.money, as the pages show amounts)."""
    if kind == OfferKind.NONE:
        return ""
    if chinese:
        amount_text = money_offer_text_zh(amount, currency)
        # 满300减50元: a yuan threshold is a bare number, as Chinese shops write it; another currency is named twice.
        min_text = f"{min_spend.normalize():f}" if currency == "CNY" else money_offer_text_zh(min_spend, currency)
        return f"满{min_text}减{amount_text}" if min_spend > 0 else f"立减{amount_text}"
    amount_text, min_text = money_offer_text(amount, currency), money_offer_text(min_spend, currency)
    return f"{amount_text} off orders of {min_text}" if min_spend > 0 else f"{amount_text} off"


def campaign_offer_text(*, campaign: Campaign, policy: FollowUpPolicy) -> str:
    """The campaign's offer as its customers read it: in the store's currency, in the store's SMS language."""
    return offer_text(
        kind=campaign.offer_kind,
        amount=campaign.offer_amount,
        min_spend=campaign.offer_min_spend,
        currency=campaign.store.currency,
        chinese=policy.sms_language == SmsLanguage.ZH_HANS,
    )


def opt_out_once(text: str, *, policy: FollowUpPolicy) -> str:
    """The text with the opt-out wording at its end, once (any copies the author typed are taken out)."""
    chinese = policy.sms_language == SmsLanguage.ZH_HANS
    wording = policy.sms_opt_out_zh if chinese else policy.sms_opt_out_en
    body = text.replace(wording, "").rstrip()
    return f"{body}{wording}" if chinese else f"{body} {wording}"


def campaign_wording(
    *, campaign: Campaign, policy: FollowUpPolicy, customer_id: int, name: str, coupon: str = ""
) -> str:
    """The customer's wording with its placeholders filled: what an agent says on a return-visit call."""
    index = next(combination_indices(seed=f"{campaign.pk}:{customer_id}", total=len(campaign.wordings)))
    wording = campaign.wordings[index]
    store = campaign.store
    text = wording.format_map(
        {
            "name": name,
            "store": store.name,
            "hotline": store.manager_hotline,
            "offer": campaign_offer_text(campaign=campaign, policy=policy),
            "coupon": coupon,
        }
    )
    return text


def campaign_text(*, campaign: Campaign, policy: FollowUpPolicy, customer_id: int, name: str, coupon: str = "") -> str:
    """The customer's marketing SMS: their wording, and the opt-out wording once at its end."""
    wording = campaign_wording(campaign=campaign, policy=policy, customer_id=customer_id, name=name, coupon=coupon)
    return opt_out_once(wording, policy=policy)
