"""The learned half of the cause classifier: one naive Bayes model per cause over character n-grams.

The phrase dictionaries (lexicon.py) only know the phrasings someone wrote into them; on reviews written after
they were tuned they miss about half the complaints (docs/reviews.md). This model generalises from the labelled
reviews instead: any 1–3 character sequence that tends to come with a cause counts, so "拉链就坏了" informs
"拉链坏了" and "拉不上". Chinese needs no segmentation for that; English words are added as words and word pairs.

Features are sets (binarised multinomial naive Bayes, which suits short texts), plus the rating band. Negation is
part of the features: in a clause, what follows 没有/没/无/不是/no/not... is marked ("~色差"), so "没有色差" does
not look like "色差" and "never arrived" learns its own weight. A cause is predicted when its log-odds exceed
THRESHOLD; its evidence is its highest-weight n-grams present in the text.

The model trains on the labelled sets shipped in reviews/data/ at first use (about 50 ms, no weights file to
keep in step with the data); `python -m reviews.evaluation` reports its cross-validated figures.
"""

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from crm.models import CaseCause as Cause

DATA = Path(__file__).resolve().parent.parent / "data"
LABELLED_SETS = (DATA / "eval_set.jsonl", DATA / "holdout_set.jsonl")

# Every cause but "other", which is what a mid or bad review with no cause gets, not something to recognise.
CAUSES: tuple[str, ...] = tuple(c for c in Cause.values if c and c != Cause.OTHER)
# Smoothing and decision threshold, chosen by 10-fold cross-validation on the labelled sets (docs/reviews.md):
# a small alpha lets a few examples speak; log-odds above 3 keeps the model's precision close to the lexicon's.
ALPHA = 0.1
THRESHOLD = 3.0
EVIDENCE_GRAMS = 3

_CLAUSE = re.compile(r"[,，。.!！?？;；\n~～、]+")
_NEGATOR = re.compile(r"没有|没|无|不是|并不|毫无|\b(?:no|not|never|without)\b|n't\b")
_LATIN = re.compile(r"[a-z]")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
NEGATED = "~"  # prefix of a feature that follows a negator in its clause


def _grams(part: str, prefix: str, out: set[str]) -> None:
    """Character 1-, 2- and 3-grams of each space-separated chunk, and English words and word pairs."""
    for chunk in part.split() if " " in part else (part,):
        grams = [*chunk, *[chunk[i : i + 2] for i in range(len(chunk) - 1)]]
        grams += [chunk[i : i + 3] for i in range(len(chunk) - 2)]
        out.update([prefix + g for g in grams] if prefix else grams)
    if _LATIN.search(part):
        words = _WORD.findall(part)
        out.update([f"{prefix}w:{w}" for w in words])
        out.update([f"{prefix}w:{a} {b}" for a, b in pairwise(words)])


def features(text: str, rating: int) -> set[str]:
    """The review's n-grams (clause by clause, negated ones marked), English words and its rating band."""
    found: set[str] = set()
    for clause in _CLAUSE.split(text.lower()):
        negator = _NEGATOR.search(clause)
        if negator is None:
            _grams(clause, "", found)
        else:
            _grams(clause[: negator.end()], "", found)
            _grams(clause[negator.end() :], NEGATED, found)
    found.add("rating:good" if rating >= 4 else "rating:mid" if rating == 3 else "rating:bad")
    return found


@dataclass(frozen=True)
class CauseModel:
    """Per feature, its log-likelihood ratio for each cause (in CAUSES order); per cause, the prior log-odds."""

    weights: dict[str, tuple[float, ...]]
    priors: tuple[float, ...]

    @classmethod
    def train(cls, rows: Iterable[dict]) -> "CauseModel":
        """rows: labelled reviews ({"text", "rating", "causes"}). No rows, no model: it then predicts nothing."""
        examples = [(features(r["text"], r["rating"]), set(r["causes"])) for r in rows]
        vocabulary = sorted({g for feats, _ in examples for g in feats})
        columns, priors = [], []
        for cause in CAUSES:
            with_cause, without = Counter(), Counter()
            positives = 0
            for feats, causes in examples:
                if cause in causes:
                    with_cause.update(feats)
                    positives += 1
                else:
                    without.update(feats)
            total_with = sum(with_cause.values()) + ALPHA * len(vocabulary)
            total_without = sum(without.values()) + ALPHA * len(vocabulary)
            columns.append(
                [
                    math.log((with_cause[g] + ALPHA) / total_with) - math.log((without[g] + ALPHA) / total_without)
                    for g in vocabulary
                ]
            )
            priors.append(math.log((positives + 1) / (len(examples) - positives + 1)))
        return cls(weights=dict(zip(vocabulary, zip(*columns, strict=True), strict=True)), priors=tuple(priors))

    def log_odds(self, feats: set[str]) -> dict[str, float]:
        get = self.weights.get
        present = [w for w in map(get, feats) if w is not None]
        sums = [sum(column) for column in zip(*present, strict=True)] if present else [0.0] * len(CAUSES)
        return {cause: prior + s for cause, prior, s in zip(CAUSES, self.priors, sums, strict=True)}

    def predict(self, feats: set[str], *, threshold: float = THRESHOLD) -> list[str]:
        return [cause for cause, odds in self.log_odds(feats).items() if odds > threshold]

    def evidence_grams(self, feats: set[str], cause: str) -> list[tuple[str, bool]]:
        """The n-grams present that speak most for the cause, strongest first, as (text, negation-marked):
        a marked one ("never arrived" as ~arrived) was learned in that negated form and is evidence as it is."""
        column = CAUSES.index(cause)
        scored = []
        for g in feats:
            weight = self.weights.get(g)
            if weight is None or weight[column] <= 0 or g.startswith("rating:"):
                continue
            marked = g.startswith(NEGATED)
            scored.append((weight[column], len(g), g.removeprefix(NEGATED).removeprefix("w:"), marked))
        return [(text, marked) for *_, text, marked in sorted(scored, reverse=True)]


def load_labelled(paths: Iterable[Path] = LABELLED_SETS) -> list[dict]:
    rows = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


@cache
def shipped_model() -> CauseModel:
    """The model trained on every labelled review shipped with the code."""
    return CauseModel.train(load_labelled())
