"""What was promised, then what came, across two clauses ("说是真丝, 收到是涤纶"): the product differs from its page.

The evidence is the two statements as short phrases of whole words, each from its marker ("说是", "收到") to the end
of its clause and at most PHRASE characters long, never the whole run of text between them (ADR 0007)."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("promised vs received")
PHRASE = 8  # characters from a marker: "说是真丝", "标的是802.11a/g/n", "实际收到的为灰色"


def find_promised_vs_received(reading: Reading) -> None:
    if not (promised := lx.PROMISED_VS_RECEIVED.search(reading.text)):
        return
    statements = []
    for group in ("promised", "received"):
        start = promised.start(group)
        clause = reading.spans.clause_of(start, start + 1)
        end = min(clause[1] if clause else promised.end(), start + PHRASE, promised.end())
        statements.append((start, max(end, promised.end(group))))
    if words := as_words(reading.text, statements):
        reading.add(Cause.DESCRIPTION_MISMATCH, words, by=NAME)
