"""Complaints about the product itself, read in general form (quality): a clause that speaks ill of the product,
its parts or its content, in the customer's own words (ADR 0007).

A clause complains when it has a fault word (opinions.PRODUCT_FAULTS) not negated there ("一点也不慢" is praise), or
a praise word negated ("不太实用", "没有想象中的好"). Such a clause is about the product when it names a part or
attribute of the goods (opinions.PRODUCT_PARTS: "内容空洞", "驱动难装", "电池太烫") and no other cause's matter
(opinions.OTHER_TOPICS: "快递太慢" is the shipping's); the part may be named in the clause just before
("内存只有1G，小了点"). When no rule found any cause in a mid or bad review that names
the product somewhere, a complaint clause that names no part speaks of it ("这本书…无聊的要死"); a bare "不喜欢" names
no product and stays "other". A fault only feared ("就怕以后坏了") is none. The words are
whole words of the text (words.as_words), and a clause whose words another rule already read is left to it."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from .. import opinions
from ..negation import is_negated
from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("complaint about the product")
UNANCHORED_NAME = gettext_noop("complaint, nothing else recognised")


def _complaint(clause: str) -> list[tuple[int, int]]:
    """Spans of the clause's un-negated fault words and negated praise words."""
    found = [m.span() for m in opinions.PRAISE_NEGATED.finditer(clause)]
    for match in opinions.PRODUCT_FAULTS.finditer(clause):
        if any(s <= match.start() < e for s, e in found):
            continue
        if lx.HYPOTHETICAL.search(clause, 0, match.start()) or lx.WORRY.search(clause, 0, match.start()):
            continue  # "就怕以后坏了": a fault feared, not found
        if not is_negated(clause, match.start(), match.end()):
            found.append(match.span())
    return found


def find_product_complaints(reading: Reading) -> None:
    if reading.good:
        return
    text = reading.text
    taken = [
        (start, start + len(w)) for words in reading.evidence.values() for w in words if (start := text.find(w)) != -1
    ]
    nothing_else = not reading.evidence
    anchored, unanchored = [], []
    previous = ""
    for start, end in reading.spans:
        clause, named_before, previous = text[start:end], previous, text[start:end]
        if any(start <= s < end for s, _ in taken) or opinions.OTHER_TOPICS.search(clause):
            continue
        complaint = _complaint(clause)
        if not complaint:
            continue
        parts = [m.span() for m in opinions.PRODUCT_PARTS.finditer(clause)]
        words = as_words(clause, [*parts[:1], *complaint])
        # "内存只有1G，小了点": the part is named in the clause before.
        if parts or opinions.PRODUCT_PARTS.search(named_before):
            anchored.extend(words)
        else:
            unanchored.extend(words)
    if anchored:
        reading.add(Cause.QUALITY, anchored, by=NAME)
    elif nothing_else and unanchored and opinions.PRODUCT_PARTS.search(text):
        reading.add(Cause.QUALITY, unanchored, by=UNANCHORED_NAME)
