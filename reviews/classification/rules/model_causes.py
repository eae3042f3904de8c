"""The learned model's causes (model.py): complaints phrased in words no dictionary has.

A cause the model adds next to ones the rules found must be surer than one it finds alone (MODEL_THRESHOLD_BESIDE_
RULES). Its evidence is its strongest n-grams present and not negated in the text; words the rules already read as
another cause are not evidence of this one too ("不值这个价"). It must be complained about where its words stand
(polarity.stance); on a mid or bad review the rating is the complaint, unless the words are praised, or the rating is
already explained by an "other" kind. Alone on a mid or bad review, its quality stands only where naive Bayes over the
real reviews alone does not find "other" about as likely (REAL_MARGIN; OTHER_MARGIN with the model's own naive Bayes
for a model that learned no real review). A good review with no complaint signal anywhere skips the model (ADR
0007)."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import opinions
from ..model import EVIDENCE_GRAMS
from ..negation import is_negated
from ..reading import Clauses, Reading
from ..words import as_words, carries_content
from .other_kinds import MARKS_OF_USE
from .overlaps import inside
from .polarity import stance

NAME = gettext_noop("learned model")
# The model's log-odds a cause needs (model.THRESHOLD is the model's own, reported alone): lower alone, because on a
# good review the cause must also pass the polarity check; higher beside the rules' causes, where a wrong second
# cause was the model's other kind of false alarm (ADR 0007; the choice is in docs/journal/).
MODEL_THRESHOLD = 2.5
MODEL_THRESHOLD_BESIDE_RULES = 4.0
# A mid or bad review nothing else explains, which naive Bayes finds about as likely `other` as quality (log-odds
# within this of each other): a line that complains of no listed kind, or names no cause, which the model's lean to
# quality on bad reviews would otherwise claim. It stays "other" (ADR 0007). REAL_MARGIN is for the real reviews'
# own naive Bayes (model.real_other_lean: -1 to -4 scored alike on the dev part), OTHER_MARGIN for the whole model's.
REAL_MARGIN = -2.5
OTHER_MARGIN = -6.0


def _gram_negated(spans: Clauses, start: int, end: int) -> bool:
    """Whether an n-gram is negated in its clause, as part of the longer n-grams it starts too: in "异响一点都没有"
    the "异" is negated along with "异响"."""
    clause = spans.clause_of(start, end)
    if clause is None:
        return True
    text = spans.text[clause[0] : clause[1]]
    start, end = start - clause[0], end - clause[0]
    return any(is_negated(text, start, stop) for stop in range(end, min(end + 2, len(text)) + 1))


def model_evidence(spans: Clauses, grams: list[tuple[str, bool]]) -> list[str]:
    """The whole words where the model's strongest n-grams stand in the text (words.as_words: never a fragment of a
    number or a lone function character). An n-gram the model saw un-negated must not be negated here
    ("色差一点都没有"); one it learned in negated form stands as it is."""
    lowered = spans.text.lower()
    if len(lowered) != len(spans.text):  # a rare case-fold that changes length: match the original instead
        lowered = spans.text
    chosen: list[tuple[int, int]] = []
    for gram, learned_negated in grams:
        start = lowered.find(gram)
        while start != -1 and not learned_negated and _gram_negated(spans, start, start + len(gram)):
            start = lowered.find(gram, start + 1)
        end = start + len(gram)
        if start == -1 or any(s <= start and end <= e for s, e in chosen):
            continue
        chosen.append((start, end))
        if len(chosen) == EVIDENCE_GRAMS:
            break
    return as_words(spans.text, [(start, end) for start, end in chosen if carries_content(spans.text[start:end])])


def _reads_as_other(reading: Reading) -> bool:
    if reading.good:
        return False
    lean = reading.model.real_other_lean(reading.features)
    if lean is not None:
        return lean > REAL_MARGIN
    odds = reading.model.log_odds(reading.features, causes=(Cause.QUALITY, Cause.OTHER))
    return odds[Cause.OTHER] - odds[Cause.QUALITY] > OTHER_MARGIN


def add_model_causes(reading: Reading) -> None:
    if reading.quiet_good:
        return
    text, model, feats = reading.text, reading.model, reading.features
    threshold = MODEL_THRESHOLD_BESIDE_RULES if reading.evidence else MODEL_THRESHOLD
    read = [(start, start + len(w)) for ws in reading.evidence.values() for w in ws if (start := text.find(w)) != -1]
    for cause in model.predict(feats, threshold=threshold):
        if cause in reading.evidence:
            continue
        if not (words := model_evidence(reading.spans, model.evidence_grams(feats, cause))):
            continue
        if (reading.resold and cause in MARKS_OF_USE) or inside(text, words, reading.covered):
            continue
        words = [w for w in words if not inside(text, [w], read)]
        if not words or (cause == Cause.OTHER and not any(opinions.OTHER_MATTERS.search(w) for w in words)):
            continue
        if cause == Cause.QUALITY and not reading.evidence and _reads_as_other(reading):
            continue
        found = stance(reading.spans, cause, words)
        if found or (found is None and not reading.good and Cause.OTHER not in reading.evidence):
            reading.add(cause, words, by=NAME)
