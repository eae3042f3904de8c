"""Varied wording, shared by every app that writes many similar texts (review replies, campaign messages).

A text's fingerprint ignores spaces, punctuation and case, so two wordings that differ only there count as one;
a seeded pick is stable (the same seed gives the same choice, on every machine and process) and spreads evenly.
"""

import hashlib
import re
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_NOT_WORDS = re.compile(r"[\W_]+", re.UNICODE)


def fingerprint(text: str) -> str:
    return hashlib.sha1(_NOT_WORDS.sub("", text.lower()).encode(), usedforsecurity=False).hexdigest()


def seeded_pick(options: Sequence[T], *, seed: str) -> T:
    """One of `options`, chosen by a hash of `seed`."""
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return options[int.from_bytes(digest, "little") % len(options)]


def distinct_wordings(texts: Sequence[str]) -> list[str]:
    """The texts with repeats (by fingerprint) left out, in order."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        mark = fingerprint(text)
        if mark not in seen:
            seen.add(mark)
            kept.append(text)
    return kept
