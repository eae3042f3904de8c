"""How good the cause classifier is: per-cause precision, recall and F1, and their macro average.

Used against the labelled reviews shipped in reviews/data/ (tests assert floors, docs/reviews.md reports the
figures) and against agents' corrections in production (the manager's page). The classifier has a learned half
(classification/model.py) trained on those same labelled reviews, so a figure is only honest when the model
scoring a review was not trained on it: `cross_validate` trains one model per fold, `by_round` one per holdout
round without that round. `python -m reviews.evaluation` prints them all.
"""

import hashlib
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if __name__ == "__main__":  # `python -m reviews.evaluation`: the classifier needs crm's models, so Django first
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    django.setup()

from django.core.cache import caches

from .classification import Cause, classify
from .classification.model import LABELLED_SETS, MIN_DOCUMENTS, REAL_SET, CauseModel, features, load_labelled

EVAL_SET, HOLDOUT_SET, TRAINING_SET = LABELLED_SETS
CAUSES: tuple[str, ...] = tuple(c for c in Cause.values if c)
FOLDS = 10
# The synthetic rounds written blind by four writers who read only the labelling guideline (docs/reviews.md).
BLIND_ROUNDS = (11, 12, 26, 27)
REAL_FOLDS = 4


@dataclass(frozen=True)
class CauseScore:
    cause: str
    support: int  # how many items truly have the cause
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float | None:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Scores:
    per_cause: list[CauseScore]
    items: int

    @property
    def macro_f1(self) -> float | None:
        """Mean F1 over the causes that occur (in truth or prediction); an unseen cause is not a zero."""
        values = [(s.f1 if s.f1 is not None else 0.0) for s in self.per_cause if s.support or s.false_positives]
        return sum(values) / len(values) if values else None


def score(pairs: Iterable[tuple[Iterable[str], Iterable[str]]]) -> Scores:
    """pairs: (predicted causes, true causes) per item."""
    tp = dict.fromkeys(CAUSES, 0)
    fp = dict.fromkeys(CAUSES, 0)
    fn = dict.fromkeys(CAUSES, 0)
    items = 0
    for predicted, truth in pairs:
        items += 1
        predicted, truth = set(predicted), set(truth)
        for cause in CAUSES:
            if cause in predicted and cause in truth:
                tp[cause] += 1
            elif cause in predicted:
                fp[cause] += 1
            elif cause in truth:
                fn[cause] += 1
    return Scores(
        per_cause=[CauseScore(c, tp[c] + fn[c], tp[c], fp[c], fn[c]) for c in CAUSES],
        items=items,
    )


# A cause's counts, in CauseScore's order after the cause: what pooling adds and what the kept JSON holds.
_COUNTS = ("support", "true_positives", "false_positives", "false_negatives")


def pool(parts: Iterable[Scores]) -> Scores:
    """Several sets' scores as one set's: counts added cause by cause."""
    parts = list(parts)
    per_cause = [
        CauseScore(cause, *(sum(getattr(p.per_cause[k], f) for p in parts) for f in _COUNTS))
        for k, cause in enumerate(CAUSES)
    ]
    return Scores(per_cause=per_cause, items=sum(p.items for p in parts))


def scores_to_json(scores: Scores) -> dict:
    return {
        "items": scores.items,
        "per_cause": [[s.cause, *(getattr(s, f) for f in _COUNTS)] for s in scores.per_cause],
    }


def scores_from_json(data: dict) -> Scores:
    return Scores(per_cause=[CauseScore(*row) for row in data["per_cause"]], items=data["items"])


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    return load_labelled([path])


def evaluate(rows: list[dict] | None = None, *, model: CauseModel | None = None) -> Scores:
    """The classifier on `rows` (default: eval_set.jsonl) with `model` as its learned half (default: the shipped
    one, which was trained on every labelled set: a figure on data it has seen)."""
    rows = load_eval_set() if rows is None else rows
    return score((classify(text=row["text"], rating=row["rating"], model=model).causes, row["causes"]) for row in rows)


def _model_alone(model: CauseModel, row: dict) -> list[str]:
    causes = model.predict(features(row["text"], row["rating"]))
    return causes or ([Cause.OTHER] if row["rating"] <= 3 else [])


@dataclass(frozen=True)
class CrossValidation:
    classifier: Scores  # dictionaries + model, each review scored by a model trained on the other folds
    model_alone: Scores  # the model's own predictions, likewise


def cross_validate(
    rows: list[dict], *, folds: int = FOLDS, seed: int = 7, min_documents: int = MIN_DOCUMENTS
) -> CrossValidation:
    """k-fold: every review is classified by a model that never saw it. The dictionaries are the same in every
    fold (they are not learned, but they were tuned on eval_set.jsonl and some holdout rounds: ADR 0007)."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    classifier, model_alone = [], []
    for fold in range(folds):
        held_out = set(order[fold::folds])
        model = CauseModel.train((row for i, row in enumerate(rows) if i not in held_out), min_documents=min_documents)
        for i in sorted(held_out):
            row = rows[i]
            classifier.append((classify(text=row["text"], rating=row["rating"], model=model).causes, row["causes"]))
            model_alone.append((_model_alone(model, row), row["causes"]))
    return CrossValidation(classifier=score(classifier), model_alone=score(model_alone))


@cache
def shipped_cross_validation() -> CrossValidation:
    """Cross-validation over every shipped labelled review. Fixed data, code and folds give a fixed result, and ten
    trainings over the labelled sets take half a minute: it is computed once per version of them and kept in Django's
    cache (Redis when configured, shared by every process and kept across restarts)."""
    key = cross_validation_cache_key()
    found = caches["default"].get(key)
    if found is None:
        found = cross_validate(load_labelled())
        caches["default"].set(key, found, timeout=None)
    return found


def cross_validation_cache_key() -> str:
    """Named after a digest of what decides the cross-validated figures: the labelled sets and the classifier's
    source."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent / "classification"
    for path in (*LABELLED_SETS, *sorted(package.glob("*.py"))):
        digest.update(path.read_bytes())
    return f"reviews:cross-validation:{digest.hexdigest()[:32]}"


@dataclass(frozen=True)
class RoundFigures:
    round: int
    items: int
    lexicon_alone: Scores
    classifier: Scores  # with a model trained on eval_set.jsonl and the other rounds, never this one


def by_round(holdout: list[dict], others: list[dict]) -> list[RoundFigures]:
    """Each holdout round scored by the dictionaries alone and by the classifier whose model never saw it."""
    figures = []
    no_model = CauseModel.train([])
    for number in sorted({row["round"] for row in holdout}):
        this = [row for row in holdout if row["round"] == number]
        model = CauseModel.train(others + [row for row in holdout if row["round"] != number])
        figures.append(RoundFigures(number, len(this), evaluate(this, model=no_model), evaluate(this, model=model)))
    return figures


def load_real(part: str | None = None) -> list[dict]:
    rows = load_labelled([REAL_SET])
    return [row for row in rows if part is None or row["part"] == part]


# The held-out parts of the real set, in the order they were labelled (docs/reviews.md, "The labelled sets").
HELD_OUT_PARTS = ("heldout", "heldout2", "heldout3", "heldout4", "heldout5")


@dataclass(frozen=True)
class RealFigures:
    dev: Scores  # each dev review scored by a model trained on the synthetic sets and the other dev folds
    heldout: dict[str, Scores]  # per held-out part: scored by a model trained on the synthetic sets and all of dev


def real_figures(*, heldout: bool = True) -> RealFigures | Scores:
    """The classifier on real customers' reviews, each scored by a model that never saw it. heldout=False: the
    dev part alone (what tuning looks at; the held-out parts are not scored)."""
    synthetic, dev = load_labelled(), load_real("dev")
    pairs = []
    for fold in range(REAL_FOLDS):
        model = CauseModel.train(synthetic + [row for i, row in enumerate(dev) if i % REAL_FOLDS != fold])
        rows = [row for i, row in enumerate(dev) if i % REAL_FOLDS == fold]
        pairs += [(classify(text=r["text"], rating=r["rating"], model=model).causes, r["causes"]) for r in rows]
    if not heldout:
        return score(pairs)
    model = CauseModel.train(synthetic + dev)
    return RealFigures(
        dev=score(pairs), heldout={part: evaluate(load_real(part), model=model) for part in HELD_OUT_PARTS}
    )


def blind_rounds() -> Scores:
    """The synthetic blind rounds pooled, each scored by a model trained on everything else the shipped one learns
    (the other synthetic sets and the real reviews), never on that round."""
    holdout, others = load_eval_set(HOLDOUT_SET), load_eval_set() + load_eval_set(TRAINING_SET) + load_real()
    pairs = []
    for number in BLIND_ROUNDS:
        model = CauseModel.train(others + [row for row in holdout if row["round"] != number])
        rows = [row for row in holdout if row["round"] == number]
        pairs += [(classify(text=r["text"], rating=r["rating"], model=model).causes, r["causes"]) for r in rows]
    return score(pairs)


# A second, independent labelling of 400 held-out real reviews (drawn at random from the held-out parts), by the
# guideline alone, without the first labels or the classifier's answers: how far two careful readers agree is the
# ceiling against which the classifier's real-text figure is read.
SECOND_LABELS = REAL_SET.with_name("real_second_labels.jsonl")


def label_agreement() -> Scores:
    """The second labelling scored against the first (the first as the truth), on the reviews both labelled."""
    first = {row["id"]: row["causes"] for row in load_real()}
    return score((row["causes"], first[row["id"]]) for row in load_labelled([SECOND_LABELS]))


def _print_scores(title: str, scores: Scores) -> None:
    print(f"\n{title}: {scores.items} reviews, macro-F1 {scores.macro_f1:.3f}")
    print(f"  {'cause':<22}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}")
    for s in scores.per_cause:
        print(f"  {s.cause:<22}{s.support:>8}{s.precision or 0:>11.3f}{s.recall or 0:>8.3f}{s.f1 or 0:>7.3f}")


def main() -> None:
    real = real_figures()
    _print_scores("real reviews, dev part (4-fold: rules developed on it, model trained without the fold)", real.dev)
    for part, scores in real.heldout.items():
        _print_scores(f"real reviews, held-out part {part} (never tuned on, model trained without it)", scores)
    _print_scores("real reviews, every held-out part pooled", pool(real.heldout.values()))
    _print_scores("a second labeller against the first, 400 held-out real reviews", label_agreement())
    _print_scores(f"synthetic blind rounds {BLIND_ROUNDS}, each by a model trained without it", blind_rounds())
    rows = load_eval_set()
    holdout = load_eval_set(HOLDOUT_SET)
    training = load_eval_set(TRAINING_SET)
    print(
        f"eval_set.jsonl: {len(rows)} reviews ({sum(r['lang'] == 'zh' for r in rows)} zh, "
        f"{sum(r['lang'] == 'en' for r in rows)} en); holdout_set.jsonl: {len(holdout)} reviews; "
        f"training_set.jsonl: {len(training)} reviews"
    )
    _print_scores("eval_set.jsonl, shipped classifier (dictionaries tuned and model trained on it)", evaluate(rows))
    cv = cross_validate(rows + holdout + training)
    _print_scores(f"{FOLDS}-fold cross-validation over all labelled sets, dictionaries + model", cv.classifier)
    _print_scores(f"{FOLDS}-fold cross-validation over all labelled sets, model alone", cv.model_alone)
    print("\nholdout rounds (model trained on eval_set.jsonl, training_set.jsonl and the other rounds):")
    for figures in by_round(holdout, rows + training):
        print(
            f"  round {figures.round}: {figures.items} reviews, dictionaries alone "
            f"{figures.lexicon_alone.macro_f1:.3f}, dictionaries + model {figures.classifier.macro_f1:.3f}"
        )


if __name__ == "__main__":
    main()
