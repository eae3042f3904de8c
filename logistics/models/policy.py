"""Each store's delay rules, notice wording and provider secrets. A store without a saved policy uses these defaults.

Wording is the store's voice and never blames the courier: the parcel is "slower than usual", "held up", and the
store is the one following it up (docs/decisions/0021-parcel-tracking.md).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Store

# {rule or "shipped": {language: template}}. Placeholders: {name} {store} {product} {hotline} {promised}
# {tracking_number}.
DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "shipped": {
        "zh-hans": "{name}您好，您在{store}购买的{product}已发出，运单号{tracking_number}。"
        "我们会一路关注，直到您签收。",
        "en": "Hi {name}, your {product} from {store} is on its way (tracking number {tracking_number}). "
        "We will watch over it until it reaches you.",
    },
    "no_first_scan": {
        "zh-hans": "{name}您好，您在{store}购买的{product}已打包发出，物流信息比平时更新得慢一些，"
        "我们正在跟进，一有进展马上告诉您。如有疑问请联系{hotline}。",
        "en": "Hi {name}, your {product} from {store} has left us, but its tracking is updating more slowly than "
        "usual. We are following it up and will tell you as soon as it moves. Questions: {hotline}.",
    },
    "no_update": {
        "zh-hans": "{name}您好，您在{store}购买的{product}在途中多停留了一些时间，我们已经在跟进，"
        "会尽快让它继续上路。如有疑问请联系{hotline}。",
        "en": "Hi {name}, your {product} from {store} is taking longer than usual on its way. We are following "
        "it up and will get it moving again. Questions: {hotline}.",
    },
    "past_promised": {
        "zh-hans": "{name}您好，很抱歉，您在{store}购买的{product}没能在{promised}前送到。我们正在全力跟进，"
        "会尽快送到您手中。如有疑问请联系{hotline}。",
        "en": "Hi {name}, we are sorry: your {product} from {store} did not arrive by {promised} as we promised. "
        "We are on it and will get it to you as soon as we can. Questions: {hotline}.",
    },
    "not_delivered_today": {
        "zh-hans": "{name}您好，您在{store}购买的{product}今天没能如期送到，我们已经在跟进，"
        "会优先为您安排尽快送达。如有疑问请联系{hotline}。",
        "en": "Hi {name}, your {product} from {store} could not reach you today as planned. We are following it "
        "up so it comes to you first thing. Questions: {hotline}.",
    },
    "exception": {
        "zh-hans": "{name}您好，您在{store}购买的{product}在运输中遇到了一点状况，我们已经在处理，"
        "会尽快和您确认后续安排。如有疑问请联系{hotline}。",
        "en": "Hi {name}, your {product} from {store} has run into a problem on its way. We are already sorting "
        "it out and will be in touch about what happens next. Questions: {hotline}.",
    },
}


class LogisticsPolicy(models.Model):
    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="logistics_policy")
    no_first_scan_hours = models.PositiveSmallIntegerField(_("no first scan after (hours)"), default=24)
    no_update_hours = models.PositiveSmallIntegerField(_("no new checkpoint for (hours)"), default=48)
    # Rules switched off for this store (DelayRule values).
    rules_off = models.JSONField(_("rules switched off"), default=list, blank=True)
    # {rule or "shipped": {"zh-hans": ..., "en": ...}}: overrides DEFAULT_TEMPLATES, one text at a time.
    templates = models.JSONField(_("notice templates"), default=dict, blank=True)
    shipping_notice = models.BooleanField(_("send a shipping notice"), default=False)
    # AfterShip signs its webhooks with this store's webhook secret.
    aftership_secret = models.CharField(_("AfterShip webhook secret"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("logistics policy")
        verbose_name_plural = _("logistics policies")
        constraints = [
            models.CheckConstraint(condition=Q(no_first_scan_hours__gte=1), name="logistics_first_scan_positive"),
            models.CheckConstraint(condition=Q(no_update_hours__gte=1), name="logistics_no_update_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} logistics policy"

    def template(self, key: str, language: str) -> str:
        return (self.templates.get(key) or {}).get(language) or DEFAULT_TEMPLATES[key][language]

    def rule_on(self, rule: str) -> bool:
        return rule not in self.rules_off
