"""Compile a dictionary of phrase patterns into one regular expression that skips hopeless positions fast.

Python's `re` tries every alternative of a big `a|b|c|...` at every position of the text, so a dictionary of a
few hundred phrases costs a few hundred steps per character. The first characters any phrase can start with
are known from the patterns themselves; a lookahead on that set (`(?=[假色质...])`) rejects almost every
position in one step, and the matches found are exactly the same (every match starts with one of them). Behind it,
the phrases are tried in runs, each behind the lookahead of its own first characters, so a position where a few
phrases may start does not try all of them. Digits go into a lookahead as `\\d`: listed one by one, those beyond
U+FFFF would make the class a list checked item by item at every position.
"""

import re
import sys
from functools import cache

try:  # CPython's own pattern parser, private: a phrase's first characters are read from its parse tree
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # a Python without it: no prefilter, the same matches (compile_alternatives)
    sre = sre_parse = None

CHUNK = 16  # phrases per run behind their own lookahead (compile_alternatives)
_MAX_SET = 5000  # a wider character range than this is not worth listing: no prefilter then


@cache
def _digits() -> set[int]:
    """What `\\d` matches in a str pattern: every Unicode decimal digit, not only 0-9."""
    return {c for c in range(sys.maxunicode + 1) if chr(c).isdecimal()}


def _first(items) -> tuple[set[int], bool] | None:
    """(code points a match of this sequence can start with, whether it can match empty), or None if unknown."""
    chars: set[int] = set()
    for op, av in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: ignoring a condition only widens the set, which stays correct
        if op is sre.LITERAL:
            return chars | {av}, False
        if op is sre.IN:
            found = set()
            for kind, value in av:
                if kind is sre.LITERAL:
                    found.add(value)
                elif kind is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
                    found |= _digits()
                elif kind is sre.RANGE and value[1] - value[0] < _MAX_SET:
                    found.update(range(value[0], value[1] + 1))
                else:
                    return None  # negated sets, categories (\d, \w) and wide ranges
            return chars | found, False
        if op is sre.SUBPATTERN:
            inner = _first(av[3])
        elif op is sre.BRANCH:
            branches = [_first(branch) for branch in av[1]]
            if any(b is None for b in branches):
                return None
            inner = set().union(*(b[0] for b in branches)), any(b[1] for b in branches)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            inner = _first(av[2])
            inner = inner and (inner[0], inner[1] or av[0] == 0)
        else:
            return None  # any character, back-references, conditionals: no prefilter
        if inner is None:
            return None
        chars |= inner[0]
        if not inner[1]:
            return chars, False
    return chars, True


def _lookahead(chars: set[int]) -> str:
    digits = {c for c in chars if chr(c).isdecimal()}
    listed = "".join(re.escape(chr(c)) for c in sorted(chars - digits)) + ("\\d" if digits else "")
    return f"(?=[{listed}])"


def _union(patterns: list[str]) -> str:
    """The plain alternation `(?:p1)|(?:p2)|...`: what every prefiltered form must match exactly as."""
    return "|".join(f"(?:{p})" for p in patterns)


def _prefiltered(patterns: list[str], flags: int) -> tuple[str, str] | None:
    """(`(?=[first characters])`, `_union(patterns)`), or None where some pattern can start anywhere or match empty."""
    if sre_parse is None:
        return None
    union = _union(patterns)
    first = _first(sre_parse.parse(union, flags))
    if first is None or first[1]:
        return None
    return _lookahead(first[0]), union


def compile_alternatives(patterns: list[str], flags: int = 0) -> re.Pattern:
    """One pattern matching what any of `patterns` matches, leftmost first, as `p1|p2|...` would.

    Behind the lookahead on every phrase's first characters, the phrases are tried in runs of CHUNK, each behind
    its own lookahead: at a position where some phrase may start, only the runs that may start there are tried. The
    runs keep the phrases' order, so the first phrase that matches at a position is the same one."""
    whole = _prefiltered(patterns, flags)
    if whole is None:
        return re.compile(_union(patterns), flags)
    lookahead, union = whole
    if len(patterns) > CHUNK:
        runs = [patterns[i : i + CHUNK] for i in range(0, len(patterns), CHUNK)]
        union = "|".join(_run(run, flags) for run in runs)
    return re.compile(f"{lookahead}(?:{union})", flags)


def _run(patterns: list[str], flags: int) -> str:
    prefiltered = _prefiltered(patterns, flags)
    if prefiltered is None:
        return _union(patterns)
    return "{}(?:{})".format(*prefiltered)


def compile_word_class(pattern: str, flags: int = 0) -> re.Pattern:
    """One regular expression behind the lookahead on the characters its matches can start with: the same
    matches, with most positions of a text rejected in one step (the vocabulary's word classes)."""
    return compile_alternatives([pattern], flags)
