"""How good the cause classifier is: per-cause precision, recall and F1, and their macro average.

Used twice: against the labelled evaluation set shipped in reviews/data/eval_set.jsonl (tests assert a
floor, docs report the figure) and against agents' corrections in production (the manager's page).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .classification import Cause, classify

EVAL_SET = Path(__file__).resolve().parent / "data" / "eval_set.jsonl"
CAUSES: tuple[str, ...] = tuple(c for c in Cause.values if c)


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


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(rows: list[dict] | None = None) -> Scores:
    rows = load_eval_set() if rows is None else rows
    return score((classify(text=row["text"], rating=row["rating"]).causes, row["causes"]) for row in rows)


def main() -> None:
    rows = load_eval_set()
    scores = evaluate(rows)
    print(
        f"{scores.items} reviews ({sum(r['lang'] == 'zh' for r in rows)} zh, {sum(r['lang'] == 'en' for r in rows)} en)"
    )
    print(f"{'cause':<22}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}")
    for s in scores.per_cause:
        print(f"{s.cause:<22}{s.support:>8}{s.precision or 0:>11.3f}{s.recall or 0:>8.3f}{s.f1 or 0:>7.3f}")
    print(f"macro-F1 {scores.macro_f1:.3f}")


if __name__ == "__main__":
    main()
