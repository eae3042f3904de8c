"""Whether a phrase is negated in its clause: "没有色差", "色差一点都没有" and "no colour difference" are praise.

Negation before a phrase is read on jieba's segmentation of the words just before it, so "不错" (good) or "不少" (many)
never read as a negator the way a bare 不 would (ADR 0007). Segmentation runs only when a negator character is near.
"""

import re

from . import lexicon as lx
from .words import tokens

GAP_NEGATOR = re.compile(r"[没无未非]")


def negated_before(prefix: str) -> bool:
    """Whether the words just before a phrase (the end of `prefix`) negate it."""
    if prefix[-40:].isascii():
        return bool(lx.EN_NEGATION.search(prefix[-40:]))
    tail = prefix[-10:]
    if not lx.NEGATOR_CHARS.search(tail) or lx.COMPLAINT_INTRO.search(tail):
        return False
    # The last three content words before the phrase, skipping fillers such as 任何/一点/的.
    seen = 0
    words = [t for t in tokens(tail) if t.strip()]
    for i in reversed(range(len(words))):
        word = words[i]
        if word in lx.NEGATORS:
            return True
        # "没打电话直接放…" ends the negation at 直接; "没有直接放…" negates it.
        if word in lx.NEGATION_BREAKS and i and words[i - 1] not in lx.NEGATORS:
            return False
        if word in lx.NEGATOR_FILLER:
            continue
        seen += 1
        if seen >= 3:
            break
    return False


def is_negated(clause: str, start: int, end: int, *, after: bool = True) -> bool:
    """Whether the phrase at clause[start:end] is negated (or praised) within its clause. A phrase that is itself a
    negated comparison ("没有宣传的", "不如介绍的") is not praised by the word it falls short of ("没有宣传的好")."""
    if negated_before(clause[:start]):
        return True
    rest = clause[end:]
    praised = lx.POST_PRAISE.match(rest) and not lx.NEGATOR_CHARS.match(clause, start)
    return after and bool(lx.POST_NEGATION.match(rest) or praised)


def unnegated_hits(spans, matcher, *, after: bool = True, pos: int = 0) -> list[str]:
    """The matches of `matcher` in `spans.text` (a reading.Clauses) that lie in one clause and are not negated there."""
    found = []
    text = spans.text
    for match in matcher.finditer(text, pos):
        span = spans.clause_of(match.start(), match.end())
        if span is None:
            continue
        clause = text[span[0] : span[1]]
        if not is_negated(clause, match.start() - span[0], match.end() - span[0], after=after):
            found.append(match.group(0))
    return found
