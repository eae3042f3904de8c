"""What the marketplaces' rules forbid in any text a store sends its customers.

Taobao, Tmall and JD forbid trading a reward for a review: cash back for a good review (好评返现), a red packet
for five stars (五星好评送红包), a coupon for changing or deleting a review. Every template a store writes (the
care SMS, letters, parcel inserts, campaign texts) is checked here when it is saved, so one list of words
decides for all of them.

The check is per sentence: a sentence that names a review (好评, 五星, 追评, review, 5 stars ...) and a reward
(返现, 红包, 优惠券, cashback, coupon ...) is refused. A letter may thank for a purchase and a card may offer a
code for the next purchase; neither may tie that offer to what the customer writes about us.
"""

import re

from django.utils.translation import gettext as _

from crm.errors import ReviewIncentiveForbidden

_SENTENCES = re.compile(r"[。！？!?；;\n]+|\.(?:\s|$)")

_REVIEW_ZH = re.compile(r"好评|五星|5\s*星|五颗星|晒图|晒单|追评|评价|评论|改评|删评|差评|中评|打分")
# A refund is left out on purpose: "unhappy? ask us for a refund or exchange before you review" is service.
_REWARD_ZH = re.compile(
    r"返现|返钱|返款|返利|红包|现金|优惠券|代金券|优惠码|礼品|礼物|小礼|赠品|赠送|奖励|补贴|立减|积分|抽奖|领取|免单"
    r"|[送返领]\s*[0-9一二三四五六七八九十两]|[0-9]+\s*元"
)
# A gift named after the review in so many words: 好评送丝巾, 五星好评即送小样, 晒图就领 (the reward list cannot
# name every gift). 送达, 送货, 送到, 送出 are deliveries, not gifts.
_REVIEW_THEN_GIVE_ZH = re.compile(
    r"(?:好评|五星|5\s*星|五颗星|晒图|晒单|追评|评价)[^，,。.！!？?；;\s]{0,3}?[送赠领返](?![达货到出])"
)
_REVIEW_EN = re.compile(
    r"\b(reviews?|reviewing|rating|rate us|5[- ]?stars?|five[- ]stars?|feedback|testimonial)\b", re.IGNORECASE
)
_REWARD_EN = re.compile(
    r"\b(cash ?back|cash|money|coupons?|vouchers?|gifts?|rewards?|red (?:packet|envelope)s?|discounts?"
    r"|bonus(?:es)?|credits?|rebates?|points|promo codes?)\b|[$¥€£]\s*[0-9]",
    re.IGNORECASE,
)


def review_incentive_in(text: str) -> str | None:
    """The first sentence of `text` that trades a reward for a review, or None when there is none."""
    for sentence in _SENTENCES.split(text or ""):
        review = _REVIEW_ZH.search(sentence) or _REVIEW_EN.search(sentence)
        reward = _REWARD_ZH.search(sentence) or _REWARD_EN.search(sentence)
        if (review and reward) or _REVIEW_THEN_GIVE_ZH.search(sentence):
            return sentence.strip()
    return None


def ensure_no_review_incentive(text: str, *, field: str) -> None:
    """Raise ReviewIncentiveForbidden (naming `field` and the sentence) when `text` trades a reward for a review."""
    sentence = review_incentive_in(text)
    if sentence is not None:
        raise ReviewIncentiveForbidden(
            _(
                "Taobao, Tmall and JD forbid offering money, coupons or gifts for a good or changed review: "
                "“%(sentence)s”. Remove the reward or the mention of the review."
            )
            % {"sentence": sentence},
            field=field,
        )
