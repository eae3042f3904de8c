"""What a store says: the language each customer is written to in, the care SMS text (the store's template in that
language and its voice, with the opt-out wording appended), and the language the prompts of its calls are spoken in."""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from callbacks.models import FollowUp, FollowUpPolicy, SmsLanguage
from crm.languages import language_for_customer
from crm.models import Customer, Store

from .policy import policy_for_store

_NO_PRODUCT = {SmsLanguage.ZH_HANS: "商品", SmsLanguage.EN: "order"}
# Twilio's <Say language=...> for each language a store can choose.
_SAY_LANGUAGE = {SmsLanguage.ZH_HANS: "zh-CN", SmsLanguage.EN: "en-US"}


def message_language(*, customer: Customer | None, policy: FollowUpPolicy) -> str:
    """The language a text the system writes whole to `customer` is in: their own when they have one, else the store's
    SMS language (crm.languages: the rule thank-you letters follow too, with the letter rule's language). For the care
    SMS and the parcel notices (a cross-border store has customers who read Chinese and customers who read English);
    campaign messages and birthday wishes are the store's own text, in its language (retention.wording)."""
    return language_for_customer(customer=customer, store_language=policy.sms_language)


def sms_render(*, followup: FollowUp, policy: FollowUpPolicy | None = None) -> str:
    store, order = followup.store, followup.order
    policy = policy or policy_for_store(store=store)
    language = message_language(customer=followup.customer, policy=policy)
    chinese = language == SmsLanguage.ZH_HANS
    template = policy.sms_template_zh if chinese else policy.sms_template_en
    text = template.format_map(
        {
            "name": followup.customer.name,
            "product": order.product_summary or _NO_PRODUCT[language],
            "store": store.name,
            "hotline": store.manager_hotline,
        }
    )
    # Chinese rules require the opt-out instruction in every marketing-adjacent SMS.
    return f"{text}{policy.sms_opt_out_zh}" if chinese else f"{text} {policy.sms_opt_out_en}"


def public_url(name: str, *args) -> str:
    """An absolute URL of ours as the provider must call it (PUBLIC_BASE_URL + path)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name, args=args)


# An id no row will have, so its digits appear in the reversed URL exactly where the id goes.
_ID_PLACEHOLDER = 987_654_321_987


def public_url_by_id(name: str) -> Callable[[int], str]:
    """public_url(name, id) for many ids at the price of one reverse() (≈ 37 µs each, a tenth of an SMS's CPU)."""
    prefix, suffix = public_url(name, _ID_PLACEHOLDER).split(str(_ID_PLACEHOLDER))
    return lambda pk: f"{prefix}{pk}{suffix}"


def call_language(*, store: Store | None) -> tuple[str, str]:
    """The language the prompts of a store's calls are spoken in, as (Django language code, Twilio <Say> language).

    A call has no language of its own and an agent none on record; the one language a store sets is its policy's
    `sms_language`, so the agent hears the store's language. Without a store (a call we cannot find): the site's."""
    language = policy_for_store(store=store).sms_language if store is not None else settings.LANGUAGE_CODE
    return language, _SAY_LANGUAGE.get(language, _SAY_LANGUAGE[SmsLanguage.ZH_HANS])
