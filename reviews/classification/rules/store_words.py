"""The store's own words (ADR 0007): a model learned from the causes the store's agents settled on
(CauseCorrection; reviews.services.learning trains it nightly and on demand) adds the causes it is sure of, told in
words of the store's goods that the shipped data never mentions ("受潮" for a tea shop). Like the shipped model's
causes, one must not be praised where its words stand, and on a good review it must be complained about."""

from django.utils.translation import gettext_noop

from ..reading import Reading
from .model_causes import model_evidence
from .polarity import stance

NAME = gettext_noop("store's learned words")
# Log-odds the store's naive Bayes needs (its logistic regression must agree too, model.LOGISTIC_THRESHOLD): a store
# model learns from a few hundred reviews, so it must be surer than the shipped one alone (ADR 0007).
STORE_THRESHOLD = 3.0


def add_store_causes(reading: Reading) -> None:
    model = reading.store_model
    if model is None or reading.quiet_good:
        return
    feats = reading.features
    for cause in model.predict(feats, threshold=STORE_THRESHOLD):
        if cause in reading.evidence:
            continue
        words = model_evidence(reading.spans, model.evidence_grams(feats, cause))
        if not words:
            continue
        found = stance(reading.spans, cause, words)
        if found is False or (reading.good and not found):
            continue
        reading.add(cause, words, by=NAME)
