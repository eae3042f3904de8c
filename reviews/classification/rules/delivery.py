"""Delivery told as an event that did not happen, or happened late (logistics): "两个星期了，书还没送到", "没有发货",
"至今还未到货", "一个月才拿到书". Negation here is the complaint itself, where for a defect it is praise ("没有色差"):
the order's events (shipped, delivered, received) are what the customer waits for (ADR 0007)."""

import re

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("delivery that did not happen")

_EVENT = r"(?:收到|到货|送到|送来|送货|到|发货|发出|拿到|寄到|派送|派件|签收)"
NOT_DELIVERED = re.compile(
    r"(?:还|仍|仍然|一直|至今|到现在|迟迟|根本|都|始终)(?:都)?(?:没有|没|未|不)(?:有)?(?:能)?"
    + _EVENT
    + r"|(?:没有|没|未)(?:有)?(?:给我|给)?(?:收到|到货|发货|发出|送到|送来|送过来|寄过来|寄来|送货)(?:货|书|东西)?"
    + r"|(?:不给|不能|无法|不肯)(?:派|派送|送|送货|配送)(?:上门)?"
    # Never received, or not sent at all ("一个多月还收不到货", "留下钱而不发书", "还没见到书的影子").
    + r"|收不到(?:货|书|东西)?|(?:不|没)(?:发|寄|给)(?:书|货)(?!签)|(?:没|未)(?:有)?(?:见到|看到)(?:书|货)的?影子"
    + r"|超出(?:派送|配送|送货)范围"
)
# One of the order's books or sets never came ("另一本来了，这本却没有", "少了一本", "偏偏这本书给落了"): the order was
# not delivered whole. A piece or a gift missing from a parcel is "other" (other_kinds), not this.
ITEM_NOT_SENT = re.compile(
    r"(?:这本|那本|这套|其中一本|另一本|有一本)(?:书)?[^,，。.!！?？;；]{0,3}(?:却|但|可|偏偏)?(?:没有|没|未)(?:有)?"
    r"(?:到|来|收到|送来|送到|发货|发来|寄来|(?=\s*(?:$|[,，。.!！?？;；])))"
    r"|少(?:了|发了?|送了?|给了?)(?:一|两|几|1|2)(?:本|套|册)"
    r"|(?:给|被)(?:落|漏)(?:下)?了(?=\s*(?:$|[,，。.!！?？;；]))"
)
LATE = re.compile(
    r"(?:\d+|[一二三四五六七八九十两半几]+)\s*(?:多)?(?:个)?(?:天|周|星期|礼拜|月|号)(?:多)?(?:时间)?(?:了)?"
    r"[^,，。.!！?？;；]{0,6}(?:才|还没|还未|都没|仍未)(?:有)?(?:能)?"
    + _EVENT
    # Kept waiting days for it ("京东快递却让我等了3~4天", "苦等了两周").
    + r"|(?:让我|让人|害我|苦)等了(?:整整|足足|快|近|将近|差不多)?[\d一二三四五六七八九十两半几~～\-]+\s*(?:多)?(?:个)?"
    r"(?:天|周|星期|礼拜|月)"
)


def find_undelivered(reading: Reading) -> None:
    if reading.good:
        return
    text = reading.text
    spans = [m.span() for matcher in (NOT_DELIVERED, LATE, ITEM_NOT_SENT) for m in matcher.finditer(text)]
    # As whole words ("还没收到货" where the match ends inside jieba's "到货"), the number of days left out.
    if found := as_words(text, spans):
        reading.add(Cause.LOGISTICS, found, by=NAME)
