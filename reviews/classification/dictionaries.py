"""The lexicon's dictionaries compiled once into phrase matchers (phrases.py), shared by the rules."""

from . import lexicon as lx
from .phrases import PhraseBook, PhraseMatcher

COMPLAINTS = PhraseBook(lx.PHRASES)  # complaint phrases per cause
ASPECTS = PhraseBook(lx.ASPECTS)  # what a clause is about, per cause
OPINION = PhraseMatcher(lx.OPINIONS)
COMPLAINT_SIGNAL = PhraseMatcher(lx.COMPLAINT_SIGNALS)
NEGATED_PRAISE = PhraseMatcher(lx.NEGATED_PRAISE)
PRAISE = PhraseMatcher(lx.PRAISE)
OTHER_KINDS = PhraseBook(lx.OTHER_KINDS)
