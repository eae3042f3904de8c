"""Breakage told as happened, not imagined ("以后坏了去哪修"), nor negated, found in use or on arrival: the
transport's (logistics) when the shipping is named or already complained about, the product's (quality) otherwise.
And beside a shipping complaint, damage transport does is the transport's doing, not a fault of the goods."""

from bisect import bisect_right

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..negation import unnegated_hits
from ..reading import Reading

NAME = gettext_noop("breakage")
TRANSIT_NAME = gettext_noop("damage in transit")


def find_breakage(reading: Reading) -> None:
    spans, text = reading.spans, reading.text
    found = []
    for word in unnegated_hits(spans, lx.BROKEN):
        start = text.find(word)
        if not lx.HYPOTHETICAL.search(text, spans.starts[bisect_right(spans.starts, start) - 1], start):
            found.append(word)
    if found:
        in_transit = Cause.LOGISTICS in reading.evidence or lx.SHIPPING_CONTEXT.search(text)
        reading.add(Cause.LOGISTICS if in_transit else Cause.QUALITY, found, by=NAME)


def drop_transit_damage_as_quality(reading: Reading) -> None:
    quality = reading.evidence.get(Cause.QUALITY)
    if (
        Cause.LOGISTICS in reading.evidence
        and lx.SHIPPING_CONTEXT.search(reading.text)
        and quality
        and all(lx.TRANSIT_DAMAGE.search(w) for w in quality)
    ):
        reading.drop(Cause.QUALITY, by=TRANSIT_NAME)
