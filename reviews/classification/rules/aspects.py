"""Aspect + opinion: a clause that names an aspect of the purchase and then says something bad about it ("质量真的
不敢恭维", "价格太高了") complains about that aspect even when no listed phrase matches. An opinion word belongs to the
nearest aspect before it: "颜色不错质量差" is about quality only. A negator between them negates it ("实物无色差")."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from ..dictionaries import ASPECTS, OPINION
from ..negation import GAP_NEGATOR, negated_before
from ..phrases import has_latin
from ..reading import Reading
from .dictionary import add_courier_attitude

NAME = gettext_noop("aspect + opinion")


def aspect_complaints(clause: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    first = ASPECTS.first(clause)
    if first == -1 or not OPINION.search(clause, first):
        return found
    aspects = sorted((end, start, cause) for start, end, cause in ASPECTS.spans(clause, first))
    if not aspects:
        return found
    for opinion in OPINION.finditer(clause, aspects[0][0]):
        end, start, cause = max(a for a in aspects if a[0] <= opinion.start())
        gap = clause[end : opinion.start()]
        if not GAP_NEGATOR.search(gap) and not negated_before(gap):
            words = found.setdefault(cause, [])
            if clause[start : opinion.end()] not in words:
                words.append(clause[start : opinion.end()])
    return found


def find_aspect_complaints(reading: Reading) -> None:
    # Most reviews name no aspect anywhere: one scan of the whole text says so, rather than one per clause. Only
    # for text without Latin letters: an English aspect is bounded by \b, which a clause cut at "但是" can meet
    # where the whole text does not ("但是quality差").
    if not has_latin(reading.text) and ASPECTS.first(reading.text) == -1:
        return
    found: dict[str, list[str]] = {}
    for start, end in reading.spans:
        for cause, words in aspect_complaints(reading.text[start:end]).items():
            bucket = found.setdefault(cause, [])
            bucket.extend(w for w in words if w not in bucket)
    for cause, words in found.items():
        if cause == Cause.SERVICE_ATTITUDE:
            words = add_courier_attitude(reading, words)
        if words:
            reading.add(cause, words, by=NAME)
