"""A figure the goods were stated to have, not met: "电池远没有8.5小时那么久", "标称320G，不过我只见到298G",
"参数说3个，只有2个". Said of any goods with a measurable specification (hours, capacity, size, weight, pixels, pages):
a mismatch with the page, not a fault, though the same review may call the goods poor too (quality, found by others).

Either the figure is said not to be reached (opinions.FIGURE_NOT_REACHED), or it is stated (FIGURE_STATED) and another
figure is found in its clause or the next (FIGURE_FOUND)."""

import re

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import opinions
from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("stated figure not met")
_DIGIT = re.compile(r"\d")


def _found_after(reading: Reading, start: int, end: int):
    reach = reading.spans.with_next(start, end)
    return None if reach is None else opinions.FIGURE_FOUND.search(reading.text, end, reach[1])


def find_figures_not_met(reading: Reading) -> None:
    if Cause.DESCRIPTION_MISMATCH in reading.evidence or reading.quiet_good:
        return
    text = reading.text
    if not _DIGIT.search(text):  # no figure at all, as most reviews: one scan in C
        return
    found = [m.span() for m in opinions.FIGURE_NOT_REACHED.finditer(text)]
    for stated in opinions.FIGURE_STATED.finditer(text):
        if actual := _found_after(reading, *stated.span()):
            found += [stated.span(), actual.span()]
    if words := as_words(text, sorted(found)):
        reading.add(Cause.DESCRIPTION_MISMATCH, words, by=NAME)
