"""The one phrase-matching component of the classifier: every speed trick lives here (ADR 0007).

Rules ask "where do these phrases occur in this text?" and never see how it is made fast:

- `compile_alternatives` (scanner.py) turns a dictionary into one expression behind a lookahead on the characters any
  phrase can start with, so hopeless positions are rejected in one step, and tries its phrases in runs, each behind
  the lookahead of its own first characters;
- Chinese phrases are compiled without IGNORECASE (case-folding every character costs about 2x), English ones with
  it, and those only run on text that has Latin letters at all (asked once per text: `has_latin`);
- `PhraseBook` keeps one matcher per cause plus the union of them all: most reviews match no phrase of any cause,
  and one scan of the union says so; where it does match, no cause's phrase starts before the union's first match,
  so each cause's scan starts there.

tests/reviews/test_phrases.py checks that each trick finds exactly what a plain alternation finds.
"""

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain

from .scanner import compile_alternatives

_LATIN = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=64)  # every matcher asks about the same text in turn: it is scanned for Latin letters once
def has_latin(text: str) -> bool:
    return bool(_LATIN.search(text))


class PhraseMatcher:
    """A dictionary of phrase patterns (Chinese and English regular expressions) matched as one."""

    def __init__(self, patterns: list[str]) -> None:
        zh = [p for p in patterns if not p.isascii()]
        en = [p for p in patterns if p.isascii()]
        self.zh = compile_alternatives(zh) if zh else None
        self.en = compile_alternatives(en, re.IGNORECASE) if en else None

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match]:
        # The compiled pattern's own iterator where one language applies (most texts): no generator to step through.
        if self.en is None or not has_latin(text):
            return self.zh.finditer(text, pos) if self.zh is not None else iter(())
        if self.zh is None:
            return self.en.finditer(text, pos)
        return chain(self.zh.finditer(text, pos), self.en.finditer(text, pos))

    def search(self, text: str, pos: int = 0) -> bool:
        return bool(
            (self.zh is not None and self.zh.search(text, pos))
            or (self.en is not None and has_latin(text) and self.en.search(text, pos))
        )

    def leftmost(self, text: str) -> int:
        """Where the first match of either language starts, -1 if none: no match of any one phrase starts before."""
        chinese = self.zh.search(text) if self.zh is not None else None
        english = self.en.search(text) if self.en is not None and has_latin(text) else None
        if chinese is None or english is None:  # most texts: one language's scan, nothing to compare
            match = chinese or english
            return match.start() if match is not None else -1
        return min(chinese.start(), english.start())


class PhraseBook:
    """One matcher per key (a cause, a kind) and the union of them all, for "does any match, and where first?"."""

    def __init__(self, dictionaries: dict[str, list[str]]) -> None:
        self.matchers = {key: PhraseMatcher(patterns) for key, patterns in dictionaries.items()}
        self.union = PhraseMatcher([p for patterns in dictionaries.values() for p in patterns])

    def items(self):
        return self.matchers.items()

    def first(self, text: str) -> int:
        return self.union.leftmost(text)

    def spans(self, text: str, pos: int = 0) -> list[tuple[int, int, str]]:
        """(start, end, key) of every match of every key's phrases from `pos`; nothing when the union finds nothing."""
        if pos == -1:
            return []
        matches = ((key, matcher.finditer(text, pos)) for key, matcher in self.matchers.items())
        return [(m.start(), m.end(), key) for key, found in matches for m in found]


def compile_monitor(phrases: list[str]) -> re.Pattern | None:
    """One matcher for a store's keyword monitors (literal phrases, zh or en)."""
    ordered = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered), re.IGNORECASE) if ordered else None
