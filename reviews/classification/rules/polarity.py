"""Complaint polarity: how the text around a cause's words speaks of what they name. True when it says something is
wrong (lexicon.COMPLAINT_SIGNALS, not negated, or a negated praise word), False when it praises it everywhere
(lexicon.PRAISE), None when it only names it: "尺码很标准" praises the size, "尺码有点偏小" complains.

Around a word is its clause cut where another cause's aspect begins or ends, and a word that follows another cause's
aspect speaks of that one: in "颜色不错质量差" the 差 is about quality. On a 4-5 star review a cause whose words are
praised everywhere is dropped ("比实体店便宜不少", "good stitching")."""

from django.utils.translation import gettext_noop

from .. import lexicon as lx
from .. import opinions
from ..dictionaries import ASPECTS, COMPLAINT_SIGNAL, NEGATED_PRAISE, PRAISE
from ..negation import is_negated, unnegated_hits
from ..reading import Clauses, Reading

NAME = gettext_noop("praised, not complained about")


def stance(spans: Clauses, cause: str, words: list[str]) -> bool | None:
    text = spans.text
    praised = None
    for word in words:
        start = text.find(word)
        span = spans.clause_of(start, start + len(word))
        if span is None:
            continue
        clause = text[span[0] : span[1]]
        aspects = sorted(
            (span[0] + start, span[0] + end, aspect_cause)
            for start, end, aspect_cause in ASPECTS.spans(clause, ASPECTS.first(clause))
        )
        before = [a for a in aspects if a[1] <= start]
        if before and before[-1][2] != cause:
            continue
        left = max([a[1] for a in before if a[2] != cause], default=span[0])
        right = min([a[0] for a in aspects if a[0] >= start + len(word) and a[2] != cause], default=span[1])
        around = text[left:right]
        if NEGATED_PRAISE.search(around):
            return True
        for signal in COMPLAINT_SIGNAL.finditer(around):
            if not is_negated(around, signal.start(), signal.end(), after=False):
                return True
        praised = (praised is not False) and bool(PRAISE.search(around))
    return False if praised else None


def only_praises(reading: Reading) -> bool:
    """Whether the review praises something and nowhere says something is wrong: no complaint signal or fault word
    that is not negated, no praise word negated, no breakage. A line of praise under a bad rating ("写的很好 值得一看")
    names no cause (ADR 0007)."""
    text, spans = reading.text, reading.spans
    if not PRAISE.search(text) or NEGATED_PRAISE.search(text):
        return False
    if opinions.PRAISE_NEGATED.search(text) or lx.BROKEN.search(text):
        return False
    if unnegated_hits(spans, COMPLAINT_SIGNAL, after=False):
        return False
    if unnegated_hits(spans, opinions.PRODUCT_FAULTS, after=False):
        return False
    return bool(unnegated_hits(spans, PRAISE, after=False))


def drop_praised_on_good_reviews(reading: Reading) -> None:
    if not reading.good:
        return
    for cause in [c for c in reading.evidence if stance(reading.spans, c, reading.evidence[c]) is False]:
        reading.drop(cause, by=NAME)
