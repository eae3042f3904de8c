"""Words: jieba's segmentation of a review, and evidence made of whole words.

What an agent sees highlighted is whole words or phrases, never a fragment of a number or a single function
character (ADR 0007): `as_words` widens a character span to the words it touches and drops spans that carry no
content (digits, punctuation, a lone particle).
"""

import re
from bisect import bisect_right
from functools import lru_cache

import jieba

# Single characters that carry no complaint on their own: particles, pronouns, measure words, bare verbs.
FUNCTION_CHARS = frozenset(
    "的了是有个在和与也就都还又很太我你他她它这那们吗呢吧啊呀哦之其或及被把给让从对向到上下中里结说看用会要能可得着过"
)
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NUMBERISH = re.compile(r"^[\d\s.,%:/\-+年月日号天个元块寸gGmMbB]*$")


# jieba cuts each run of these characters on its own (jieba's re_han_default): the words around a span are those
# of the run that holds it, whatever the rest of the text says.
_RUN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")


@lru_cache(maxsize=4096)  # bounded: a long-running worker sees every review's text once
def tokens(text: str) -> tuple[str, ...]:
    return tuple(jieba.lcut(text))


@lru_cache(maxsize=64)  # every rule's words of one review are widened in turn: its runs are found once
def _runs(text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of the text's runs (_RUN), in order."""
    spans = [m.span() for m in _RUN.finditer(text)]
    return [s for s, _ in spans], [e for _, e in spans]


def _bounds_near(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """jieba's word bounds around [start, end): only the run that holds the span is cut (a clause, not the review),
    the whole text when the span crosses runs."""
    starts, ends = _runs(text)
    index = bisect_right(starts, start) - 1
    if start >= end or index < 0 or end > ends[index]:
        return token_spans(text)
    left, right = starts[index], ends[index]
    return [(left + s, left + e) for s, e in token_spans(text[left:right])]


def token_spans(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for token in tokens(text):
        spans.append((at, at + len(token)))
        at += len(token)
    return spans


def carries_content(word: str) -> bool:
    """Whether a word can stand as evidence: not a number, not punctuation, not one function character."""
    word = word.strip()
    if not word or not _CONTENT.search(word) or _NUMBERISH.match(word):
        return False
    return not (len(word) == 1 and word in FUNCTION_CHARS)


def as_words(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The words of `text` each span touches, overlapping ones joined, without those that carry no content."""
    if not spans:
        return []
    widened = []
    for start, end in spans:
        bounds = _bounds_near(text, start, end)
        left = max((s for s, e in bounds if s <= start), default=start)
        right = min((e for s, e in bounds if e >= end), default=end)
        widened.append((left, right))
    merged: list[list[int]] = []
    for start, end in sorted(widened):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    found = []
    for start, end in merged:
        word = text[start:end].strip()
        if carries_content(word) and word not in found:
            found.append(word)
    return found
