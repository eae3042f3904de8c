"""Size is about dimensions: a size word ("太小", "有点大") said of a magnitude that is no dimension ("内存太小",
"声音太小", "发热量太大", "可视角太小") is a complaint about the product's quality, not its size (ADR 0007); so is
a device's part that is loose or tight ("键盘有点松"). A clause that names a magnitude, or such a part, and no
dimension (opinions.MAGNITUDES, opinions.LOOSE_PART, opinions.DIMENSIONAL) moves its size words to quality, as whole
words."""

import re

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import opinions
from ..reading import Reading, Step
from ..words import as_words

NAME = gettext_noop("a magnitude, not a dimension")
CONTEXT = 12  # characters of the clause before, read when a clause holds nothing but the size word
LOOSE = re.compile(r"松|紧")


def _said_of(word: str, context: str, at: int) -> re.Match | None:
    """What a size word (at `at` in the context) is said of, when that is no dimension: a loose or tight part, or a
    magnitude. Where the context names both a magnitude and a dimension, the nearer one before the word is what it
    is said of ("触摸板下面风扇噪音有点大" speaks of the noise)."""
    if LOOSE.search(word) and (part := opinions.LOOSE_PART.search(context)):
        return part
    magnitude = opinions.MAGNITUDES.search(context)
    if magnitude is None or not opinions.DIMENSIONAL.search(context):
        return magnitude
    magnitudes = [m for m in opinions.MAGNITUDES.finditer(context, 0, at)]
    dimensions = [d for d in opinions.DIMENSIONAL.finditer(context, 0, at)]
    if magnitudes and dimensions and magnitudes[-1].start() > dimensions[-1].end() - 1:
        return magnitudes[-1]
    return None


def _names_dimension(word: str) -> bool:
    return bool(opinions.DIMENSIONAL.search(word) or opinions.WEIGHT.search(word))


def move_magnitudes_to_quality(reading: Reading) -> None:
    words = reading.evidence.get(Cause.SIZE)
    if not words:
        return
    text, spans = reading.text, reading.spans
    kept, moved = [], []
    for word in words:
        start = text.find(word)
        span = spans.clause_of(start, start + len(word)) if start != -1 else None
        if span is None:
            kept.append(word)
            continue
        # The clause with the size word blanked out (positions kept); a clause that holds nothing else ("内存1G，
        # 偏小") is read with the end of the clause before, which names what the size word is said of, unless the
        # word names a dimension or weight itself ("内存不够，很笨重": the weight is the complaint).
        at = start - span[0]
        clause = text[span[0] : span[1]]
        rest = clause[:at] + " " * len(word) + clause[at + len(word) :]
        borrow = len(rest.strip()) < 2 and not _names_dimension(word)
        first = max(0, span[0] - CONTEXT) if borrow else span[0]
        context = text[first : span[0]] + rest
        at += span[0] - first
        said_of = _said_of(word, context, at)
        if said_of is None:
            kept.append(word)
            continue
        moved.extend(as_words(text[first : span[1]], [said_of.span(), (at, at + len(word))]))
    if not moved:
        return
    if kept:
        reading.evidence[Cause.SIZE] = kept
        reading.steps.append(Step(NAME, Cause.SIZE, "narrowed", tuple(moved)))
    else:
        reading.drop(Cause.SIZE, by=NAME)
    reading.add(Cause.QUALITY, moved, by=NAME)
