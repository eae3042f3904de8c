"""A worry the next clause allays is no complaint: in "担心会有色差，收到后完全没有" the colour difference was feared,
not found. A worry the next clause confirms with a complaint of its own ("担心会坏，结果很快就坏了") stays."""

from django.utils.translation import gettext_noop

from .. import lexicon as lx
from ..dictionaries import COMPLAINTS, NEGATED_PRAISE
from ..negation import unnegated_hits
from ..reading import Clauses, Reading

NAME = gettext_noop("allayed worry")


def without_allayed_worries(text: str) -> str:
    if not lx.WORRY.search(text):
        return text
    pieces = lx.CLAUSE_SPLIT.split(text)
    separators = [m.group(0) for m in lx.CLAUSE_SPLIT.finditer(text)]
    kept = []
    for index, piece in enumerate(pieces):
        following = next((p for p in pieces[index + 1 :] if p.strip()), "")
        allayed = (
            lx.WORRY.search(piece)
            and lx.ALLAYED.search(following)
            and not NEGATED_PRAISE.search(following)
            and not unnegated_hits(Clauses(following), COMPLAINTS.union)
            and not unnegated_hits(Clauses(following), lx.BREAKAGE)
        )
        if not allayed:
            kept.append(piece + (separators[index] if index < len(separators) else ""))
    return "".join(kept)


def set_aside_allayed_worries(reading: Reading) -> None:
    reading.text = without_allayed_worries(reading.text)
