"""Each cause's complaint phrases (lexicon.PHRASES), counted where they are not negated in their own clause.

"说好的赠品没有" is a complaint: for price, a missing gift is not negated by the 没有 after it. A bare "态度差" is the
courier's (logistics) when the review talks about the courier and not about the shop's staff."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..dictionaries import COMPLAINTS
from ..negation import unnegated_hits
from ..reading import Reading

NAME = gettext_noop("complaint phrase")
COURIER_NAME = gettext_noop("courier's attitude")


def find_complaint_phrases(reading: Reading) -> None:
    text = reading.text
    first = COMPLAINTS.first(text)  # no cause's phrase starts before the first phrase of any
    if first == -1:
        return
    for cause, matcher in COMPLAINTS.items():
        words = unnegated_hits(reading.spans, matcher, after=cause != Cause.PRICE, pos=first)
        if cause == Cause.SERVICE_ATTITUDE:
            words = add_courier_attitude(reading, words)
        if words:
            reading.add(cause, words, by=NAME)


def add_courier_attitude(reading: Reading, words: list[str]) -> list[str]:
    """Service words about attitude, where the review speaks of the courier and not of the shop's staff, are the
    courier's (logistics): they are added there, and the rest returned."""
    text = reading.text
    if not lx.COURIER.search(text) or lx.SHOP_STAFF.search(text):
        return words
    courier = [w for w in words if lx.ATTITUDE.search(w)]
    if courier:
        reading.add(Cause.LOGISTICS, courier, by=COURIER_NAME)
    return [w for w in words if w not in courier]
