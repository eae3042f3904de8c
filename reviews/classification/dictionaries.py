"""The lexicon's dictionaries compiled once into phrase matchers (phrases.py), shared by the rules."""

from . import lexicon as lx
from . import opinions
from .phrases import PhraseBook, PhraseMatcher

COMPLAINTS = PhraseBook(lx.PHRASES)  # complaint phrases per cause
ASPECTS = PhraseBook(lx.ASPECTS)  # what a clause is about, per cause
OPINION = PhraseMatcher(lx.OPINIONS)
COMPLAINT_SIGNAL = PhraseMatcher(lx.COMPLAINT_SIGNALS)
NEGATED_PRAISE = PhraseMatcher(lx.NEGATED_PRAISE)
PRAISE = PhraseMatcher(lx.PRAISE)
OTHER_KINDS = PhraseBook(lx.OTHER_KINDS)
# What says something is wrong with the goods in general words (polarity.only_praises): a fault word, a praise word
# negated, breakage told.
FAULT = PhraseMatcher([opinions.PRODUCT_FAULTS.pattern])
PRAISE_DENIED = PhraseMatcher([opinions.PRAISE_NEGATED.pattern])
BROKEN = PhraseMatcher([lx.BROKEN.pattern])
