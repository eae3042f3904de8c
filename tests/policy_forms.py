"""The admin's follow-up policy form as an operator saves it, for tests that post it."""

import json

from callbacks.models import DEFAULT_SMS_TEMPLATE_EN, DEFAULT_SMS_TEMPLATE_ZH, default_tiers


def policy_admin_form(store, **overrides) -> dict:
    """The form of /admin/callbacks/followuppolicy/add/ for `store`, with the defaults a new policy has, and
    `overrides`."""
    form = {
        "store": store.pk, "currency": "CNY", "exchange_rates": "{}", "tiers": json.dumps(default_tiers()),
        "call_window_start": "18:00", "call_window_end": "19:00", "call_days": "[0, 1, 2, 3, 4, 5, 6]",
        "sms_send_from": "09:00", "sms_send_until": "21:00", "sms_language": "zh-hans",
        "sms_template_zh": DEFAULT_SMS_TEMPLATE_ZH, "sms_template_en": DEFAULT_SMS_TEMPLATE_EN,
        "sms_opt_out_zh": "回T退订", "sms_opt_out_en": "Reply STOP to opt out", "opt_out_words": "[]",
        "max_call_attempts": 3, "call_hours_from": "09:00", "call_hours_until": "21:00",
        "logistics_cap_per_order": 2, "marketing_cap": 1, "marketing_cap_days": 7, "overflow_rule": "next_window",
    }  # fmt: skip
    form.update(overrides)
    return form
