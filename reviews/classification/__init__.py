"""Why a review was written: multi-label cause classification, with evidence (ADR 0007).

Rules over a shared reading of the review (pipeline.py lists them in order, one module each under rules/), with a
learned model (model.py) among them. Phrase dictionaries live in lexicon.py, compiled by the one phrase-matching
component (phrases.py). docs/reviews.md describes how it works and how to add a rule.
"""

import jieba

from crm.models import CaseCause as Cause

from .model import shipped_model
from .phrases import compile_monitor
from .pipeline import STEPS, Classification, classify

__all__ = ["STEPS", "Cause", "Classification", "classify", "compile_monitor", "prepare"]


def prepare() -> None:
    """Load what classifying needs before the first review: the learned model (about 2 CPU-seconds of training) and
    jieba's dictionary (about 1 s). In a pre-forking server this runs once in the master and the workers share both."""
    shipped_model()
    jieba.initialize()
