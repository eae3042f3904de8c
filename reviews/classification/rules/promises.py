"""What was promised, then what came, across two clauses ("说是真丝, 收到是涤纶"): the product differs from its page.

A promise about the order rather than the goods is that part of the order's complaint: a shipping time promised
("说是1-6天发货，可实际等了10天") is logistics, a gift promised ("写着赠送包的，可是收到…没有包") is other, by the
labelling guideline. The evidence is the two statements as short phrases of whole words, each from its marker ("说是",
"收到") to the end of its clause and at most PHRASE characters long, never the whole run of text between them
(ADR 0007)."""

import re

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("promised vs received")
PHRASE = 8  # characters from a marker: "说是真丝", "标的是802.11a/g/n", "实际收到的为灰色"
# What a promise about the order names: its shipping, or a gift with it.
ORDER_PROMISES = (
    (Cause.LOGISTICS, re.compile(r"发货|到货|送到|送达|送货|配送|派送|快递|物流|寄出|发出")),
    (Cause.OTHER, re.compile(r"赠|附送|附带|送[^到达货]")),
)


def find_promised_vs_received(reading: Reading) -> None:
    if not (promised := lx.PROMISED_VS_RECEIVED.search(reading.text)):
        return
    statements = []
    for group in ("promised", "received"):
        start = promised.start(group)
        clause = reading.spans.clause_of(start, start + 1)
        end = min(clause[1] if clause else promised.end(), start + PHRASE, promised.end())
        statements.append((start, max(end, promised.end(group))))
    said = reading.text[statements[0][0] : promised.start("received")]
    cause = next((c for c, about in ORDER_PROMISES if about.search(said)), Cause.DESCRIPTION_MISMATCH)
    if words := as_words(reading.text, statements):
        reading.add(cause, words, by=NAME)
