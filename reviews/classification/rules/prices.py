"""The price complained about in words other than the price dictionary's: named and called high ("定价高", "价格还是
很不菲"), wished lower ("价格可再降", "价格还有下降的余地"), no lower than elsewhere ("和中关村价格没差多少"), or
money spent for nothing ("浪费了银子", "多掏钱"). Vocabulary in opinions.py; a negated one ("为了不浪费钱",
"价格不高") is none. A high price accepted as fair is dropped later (price_verdicts)."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import opinions
from ..negation import is_negated
from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("price called high in other words")
_SAID = (opinions.PRICE_HIGH, opinions.PRICE_WISHED_LOWER, opinions.NO_CHEAPER, opinions.MONEY_WASTED)


def find_price_complaints(reading: Reading) -> None:
    if reading.quiet_good:
        return
    text, spans = reading.text, reading.spans
    found = []
    for said in _SAID:
        for match in said.finditer(text):
            clause = spans.clause_of(*match.span())
            if clause is None:
                continue
            start, end = match.start() - clause[0], match.end() - clause[0]
            if not is_negated(text[clause[0] : clause[1]], start, end, after=False):
                found.append(match.span())
    if words := as_words(text, found):
        reading.add(Cause.PRICE, words, by=NAME)
