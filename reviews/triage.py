"""Triage: priority, normal or difficult dispute, with the reasons shown to the agent.

Pure rules over what intake already knows, so a batch of 1,000 reviews is triaged without a query per row.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from crm.models import TriageGroup

from .models import ReviewPolicy, Sentiment

# Words of a customer who is about to take it further: they need a senior hand, not a template.
THREATS = re.compile(
    r"投诉|12315|315晚会|曝光|律师|起诉|法院|告你们|消协|消费者协会|工商|媒体|报警|举报|维权|"
    r"\b(?:sue|lawyer|lawsuit|court|report (?:you|this store)|consumer (?:council|association)|media)\b",
    re.IGNORECASE,
)

REASONS = {
    "high_value": _("high-value order"),
    "value_other_currency": _("order in another currency than the store's: its value is not compared"),
    "main_product": _("main product"),
    "many_likes": _("many likes"),
    "many_images": _("many images"),
    "repeat_complainer": _("repeat complainer"),
    "threat": _("threat to escalate"),
    "no_matching_order": _("no matching order"),
    "competitor_marker": _("competitor marker"),
    "keyword": _("keyword monitor hit"),
}
DIFFICULT = frozenset(["repeat_complainer", "threat", "no_matching_order", "competitor_marker"])
MALICIOUS = frozenset(["no_matching_order", "competitor_marker"])


@dataclass(frozen=True)
class TriageFacts:
    sentiment: str
    text: str
    sku: str
    likes: int
    images: int
    order_amount: Decimal | None  # None: the review matches none of our orders
    order_currency: str  # the order's ISO code ("" without an order)
    earlier_complaints: int
    monitor_hits: list[str]


@dataclass(frozen=True)
class Triage:
    group: str  # "" for a good review nobody needs to look at
    reasons: list[str]
    suspected_malicious: bool


def competitor_matcher(policy: ReviewPolicy) -> re.Pattern | None:
    markers = sorted({m.strip() for m in policy.competitor_markers if m.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(m) for m in markers), re.IGNORECASE) if markers else None


def triage(*, facts: TriageFacts, policy: ReviewPolicy, competitors: re.Pattern | None, currency: str) -> Triage:
    """`currency` is the store's, the high-value threshold's: an order in another is not compared with it (reviews
    hold no exchange rates; ADR 0036), and the reasons say its value was not weighed."""
    if facts.sentiment == Sentiment.GOOD and not facts.monitor_hits:
        return Triage("", [], False)
    reasons: list[str] = ["keyword"] if facts.monitor_hits else []
    if facts.sentiment == Sentiment.BAD:
        if facts.order_amount is not None and facts.order_currency != currency:
            reasons.append("value_other_currency")
        elif facts.order_amount is not None and facts.order_amount >= policy.high_value_amount:
            reasons.append("high_value")
        if facts.sku and facts.sku in policy.main_skus:
            reasons.append("main_product")
        if facts.likes >= policy.many_likes:
            reasons.append("many_likes")
        if facts.images >= policy.many_images:
            reasons.append("many_images")
    if facts.earlier_complaints >= policy.repeat_complaints:
        reasons.append("repeat_complainer")
    if THREATS.search(facts.text):
        reasons.append("threat")
    if facts.order_amount is None:
        reasons.append("no_matching_order")
    if competitors is not None and competitors.search(facts.text):
        reasons.append("competitor_marker")
    if DIFFICULT.intersection(reasons):
        group = TriageGroup.DIFFICULT
    elif {"high_value", "main_product", "many_likes", "many_images"}.intersection(reasons):
        group = TriageGroup.PRIORITY
    else:
        group = TriageGroup.NORMAL
    return Triage(group, reasons, bool(MALICIOUS.intersection(reasons)))
