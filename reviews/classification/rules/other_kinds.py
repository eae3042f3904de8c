"""A complaint of a kind no specific cause covers (an invoice, a missing gift or manual, a wrong item sent, resold
goods, the after-sales process; lexicon.OTHER_KINDS) is "other", by the labelling guideline (docs/reviews.md), and a
specific cause whose words lie inside it is dropped: "赠品没给" is not a price complaint. On resold goods the marks
of use are the proof that it is used, not a defect: quality and description go. On a 4-5 star review a problem put
right at once ("发错了颜色马上给补发了") is no complaint. The spans it covers and whether goods were resold are kept
on the reading for the model's causes to be judged the same way (model_causes)."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..dictionaries import OTHER_KINDS
from ..negation import negated_before
from ..reading import Reading
from .overlaps import inside

NAME = gettext_noop("other kind of complaint")
RESOLD_NAME = gettext_noop("resold goods")
MARKS_OF_USE = (Cause.QUALITY, Cause.DESCRIPTION_MISMATCH)


def find_other_kinds(reading: Reading) -> None:
    text, spans = reading.text, reading.spans
    if not OTHER_KINDS.union.search(text):
        return
    for kind, matcher in OTHER_KINDS.items():
        for match in matcher.finditer(text):
            # A hit is judged in the clause it starts in: a few phrases state the problem in the next clause.
            span = spans.clause_of(match.start(), match.start() + 1)
            if span is None or negated_before(text[span[0] : match.start()]):
                continue
            if reading.good and lx.RESOLVED.search(text, match.end()):
                continue
            reading.covered.append(match.span())
            reading.add(Cause.OTHER, [match.group(0)], by=NAME)
            if kind == "resold":
                reading.resold = True
                for cause in MARKS_OF_USE:
                    reading.drop(cause, by=RESOLD_NAME)
    for cause in [c for c in reading.evidence if c != Cause.OTHER]:
        if inside(text, reading.evidence[cause], reading.covered):
            reading.drop(cause, by=NAME)
