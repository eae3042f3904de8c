"""A verdict that names the price without complaining about it: a high price conceded and then accepted as fair
("有点贵，不过一分钱一分货"), the acceptance being the last word on the price. A price event (a drop, a coupon) is
never accepted so. ("Not worth the money" is a price complaint by the guideline, beside a fault too: "噪音特别大，
不值这个价" is quality and price.)"""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..negation import negated_before
from ..reading import Reading

NAME = gettext_noop("price verdict")


def price_accepted(text: str, evidence: dict[str, list[str]]) -> bool:
    price = evidence.get(Cause.PRICE)
    if not price or not all(lx.EXPENSIVE.search(w) for w in price):
        return False
    first = min(text.find(w) for w in price)
    accepted = [m for m in lx.PRICE_ACCEPTED.finditer(text, first) if not negated_before(text[: m.start()])]
    return bool(accepted) and not lx.EXPENSIVE.search(text, accepted[-1].end())


def drop_price_verdicts(reading: Reading) -> None:
    if reading.quiet_good:
        return
    if price_accepted(reading.text, reading.evidence):
        reading.drop(Cause.PRICE, by=NAME)
