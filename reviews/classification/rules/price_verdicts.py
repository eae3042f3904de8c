"""Two verdicts that name the price without complaining about it (as the labelling guideline reads them):

- "not worth it" said of a fault found beside it ("噪音特别大，不值这个价"), with the price itself named nowhere else,
  is the customer's verdict on the fault;
- a high price conceded and then accepted as fair ("有点贵，不过一分钱一分货"), the acceptance being the last
  word on the price. A price event (a drop, a coupon) is never accepted so."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..negation import negated_before
from ..reading import Reading
from .other_kinds import MARKS_OF_USE

NAME = gettext_noop("price verdict")


def not_worth_the_fault(text: str, evidence: dict[str, list[str]]) -> bool:
    price = evidence.get(Cause.PRICE)
    if not price or not all(lx.NOT_WORTH.match(w) for w in price) or not evidence.keys() & MARKS_OF_USE:
        return False
    for word in price:
        text = text.replace(word, " ")
    # The fault must be told in words of its own, not read from the "not worth it" itself.
    faults = [w for cause in MARKS_OF_USE for w in evidence.get(cause, ())]
    return any(w in text for w in faults) and not lx.PRICE_NAMED.search(text)


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
    if not_worth_the_fault(reading.text, reading.evidence) or price_accepted(reading.text, reading.evidence):
        reading.drop(Cause.PRICE, by=NAME)
