"""Texts varied from pieces: a text is one piece from each part (an opening, a body, a closing ...), and the
pieces are picked from a seed so the same seed always gives the same text.

Shared by the review replies (reviews.replies) and the thank-you letters (letters.composing). Variation is
checked, not hoped for: callers compare each candidate's `fingerprint` with the texts already given out and
take the first one that is new.

`one_line` is how a value we did not write (a customer's name filled into a letter, a photo's caption) is shown
inside a line of our own.
"""

import hashlib
import re
import struct
from collections.abc import Iterator, Sequence
from functools import lru_cache

_NOT_WORDS = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+", re.UNICODE)
# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a value shown inside a line (a name as the
# order system passed it on, filled into a letter; a photo's caption before its time) one would run past the value
# and turn the rest of the line around.
_DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# And control characters (a tab, CR, LF among them) become spaces: a value is one line, and a line break in a name
# split a letter's greeting into two paragraphs.
_IN_ONE_LINE = _DIRECTION_CONTROLS | dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0)], " ")


def one_line(value: str) -> str:
    """`value` as it is shown inside a line: without direction controls, every run of spaces, line breaks and
    control characters one space, no space at either end."""
    return " ".join(value.translate(_IN_ONE_LINE).split())


# A batch of drafts tries the same few thousand texts again and again (a taken one sends the next draft on to the
# next candidate): each is hashed once while it stays among the recent ones. Bounded: a long-running worker serves
# many stores.
@lru_cache(maxsize=16384)
def fingerprint(text: str) -> str:
    """What "word for word the same" compares: the text without case, spaces and punctuation, hashed. A text with
    no word at all (emoji, punctuation) is compared without its spaces only: otherwise every such text would be the
    same (the hash of nothing)."""
    lowered = text.lower()
    compared = _NOT_WORDS.sub("", lowered) or _SPACES.sub("", lowered)
    return hashlib.sha1(compared.encode(), usedforsecurity=False).hexdigest()


def combination_indices(*, seed: str, total: int) -> Iterator[int]:
    """Indices into the `total` combinations: a few random picks first (cheap), then every combination once,
    from a random starting point, so a caller that skips taken texts always finds a free one if there is one.

    Eight 64-bit numbers come from one BLAKE2 hash of the seed (seven picks and a start): the same seed, the
    same order. (random.Random(seed) cost ~7 µs to set up its state for the one to three numbers a text needs.)
    """
    if total <= 0:
        return
    *picks, start = struct.unpack("<8Q", hashlib.blake2b(seed.encode()).digest())
    for pick in picks[:total]:
        yield pick % total
    start %= total
    for step in range(total):
        yield (start + step) % total


def combination(parts: Sequence[Sequence[str]], sizes: Sequence[int], index: int) -> list[str]:
    """The pieces of combination `index` (decoded digit by digit, so the list of all is never built)."""
    chosen = []
    for part, size in zip(parts, sizes, strict=True):
        index, position = divmod(index, size)
        chosen.append(part[position])
    return chosen
