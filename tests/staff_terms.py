"""The Latin words a Chinese page may show as they are, for the sweeps that look for English on Chinese pages
(tests/system/test_page_language.py, tests/e2e/test_chinese_pages.py): terms Chinese after-sales staff read as they
are, the names of the services and formats the stores use, and currency codes."""

STAFF_TERMS = frozenset({
    # Abbreviations used untranslated in Chinese business software.
    "SKU", "SLA", "SMS", "CSV", "PDF", "API", "VIP", "RFM", "ISO", "IANA", "UTC", "MB",
    # Photo formats and the phone whose photos are HEIC ("HEIC（iPhone 照片，保存为 JPEG）").
    "JPEG", "PNG", "WebP", "HEIC", "iPhone",
    # Product and provider names, and the kind of address they push to ("AfterShip Webhook 密钥").
    "AfterShip", "Twilio", "Kuaidi100", "EMS", "Webhook",
    # Currency codes: the policy page's exchange-rate example ("EUR 7.80").
    "CNY", "EUR", "USD",
})  # fmt: skip
