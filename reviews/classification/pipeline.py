"""The cause classifier's rules, in the order they run (ADR 0007).

Each step is a function over the shared reading of the review (reading.py) in its own module under rules/; it adds
causes with the words it went by, or drops causes it finds are not complaints, and the reading records which rule
did what. `classify(..., explain=True)` returns that record per cause.
"""

from dataclasses import dataclass, field, replace

from crm.models import CaseCause as Cause

from . import lexicon as lx
from .model import CauseModel, shipped_model
from .reading import Reading, Step
from .rules import (
    aspects,
    breakage,
    claims,
    deceit,
    delivery,
    dictionary,
    figures,
    magnitudes,
    model_causes,
    other_kinds,
    overlaps,
    polarity,
    price_verdicts,
    prices,
    product_complaint,
    promises,
    store_words,
    weigh,
    worries,
)
from .words import as_words

STEPS = (
    worries.set_aside_allayed_worries,
    dictionary.find_complaint_phrases,
    aspects.find_aspect_complaints,
    prices.find_price_complaints,
    delivery.find_undelivered,
    magnitudes.move_magnitudes_to_quality,
    breakage.find_breakage,
    promises.find_promised_vs_received,
    claims.find_claims_not_met,
    figures.find_figures_not_met,
    deceit.drop_deceit_told_of_others,
    overlaps.drop_causes_read_twice,
    breakage.drop_transit_damage_as_quality,
    other_kinds.find_other_kinds,
    product_complaint.find_product_complaints,
    polarity.drop_praised_on_good_reviews,
    model_causes.add_model_causes,
    store_words.add_store_causes,
    price_verdicts.drop_price_verdicts,
    weigh.veto_unlikely_causes,
    weigh.add_likeliest_cause,
)
# A mid or bad review no rule explains: "other", shown to the agent as "no cause recognised" (no evidence).
UNRECOGNISED = "no cause recognised"


@dataclass(frozen=True)
class Classification:
    causes: list[str]
    evidence: dict[str, list[str]] = field(default_factory=dict)
    # With explain=True: per cause, what each rule did to it, in order (added words, or dropped it).
    explanation: dict[str, list[Step]] | None = None

    @property
    def recognised(self) -> bool:
        """False for a mid or bad review whose "other" no rule found words for: the agent should choose a cause."""
        return bool(self.evidence) or not self.causes


def _whole_words(text: str, words: list[str]) -> list[str]:
    """The words as whole words of the text (words.as_words): a rule's phrase may end inside one of jieba's words
    ("还没收" in "还没收到货"); what the agent sees does not. A phrase with no content of its own is kept as found."""
    found: list[str] = []
    for word in words:
        start = text.find(word)
        widened = as_words(text, [(start, start + len(word))]) if start != -1 else []
        for whole in widened or [word]:
            if whole not in found:
                found.append(whole)
    return found


def _longest(words: list[str]) -> list[str]:
    """The words without those that lie inside a longer one ("还未到货" inside "两周多至今还未到货")."""
    return [w for w in words if not any(w != other and w in other for other in words)]


def classify(
    *,
    text: str,
    rating: int,
    model: CauseModel | None = None,
    store_model: CauseModel | None = None,
    explain: bool = False,
) -> Classification:
    """The review's causes and the words that show them. `model` is the learned half (default: the one trained on
    the shipped labelled sets; evaluation passes models trained without the reviews it scores); `store_model` the
    store's own, learned from its agents' corrections."""
    reading = Reading(
        text=text or "", rating=rating, model=shipped_model() if model is None else model, store_model=store_model
    )
    for step in STEPS:
        step(reading)
    evidence = {cause: _longest(_whole_words(reading.text, words)) for cause, words in reading.evidence.items()}
    causes = [cause for cause in (*lx.PHRASES, Cause.OTHER) if cause in evidence]
    if not causes and rating <= 3:
        causes = [Cause.OTHER]
    explanation = None
    if explain:
        steps = [replace(s, words=tuple(_whole_words(reading.text, list(s.words)))) for s in reading.steps]
        explanation = {cause: [s for s in steps if s.cause == cause] for cause in causes}
        dropped = {s.cause for s in steps if s.cause not in causes}
        explanation |= {cause: [s for s in steps if s.cause == cause] for cause in sorted(dropped)}
    return Classification(
        causes=causes, evidence={c: evidence[c] for c in causes if c in evidence}, explanation=explanation
    )
