"""What the cause classifier learns from each store, and the quality figures kept for the quality page (ADR 0007).

A store's model is a CauseModel trained on the causes its agents settled on (each corrected review's latest verdict,
CauseCorrection.after); intake passes it to classify() beside the shipped model (selectors.store_cause_model). It is
retrained nightly by beat for every store with new verdicts, and on demand from the quality page.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from crm.models import Store

from ..classification.model import CauseModel
from ..evaluation import blind_rounds, real_figures, scores_to_json, shipped_cross_validation
from ..models import CauseCorrection, ClassifierFigures, StoreCauseModel

# Fewer verdicts than this teach a store's model nothing it could be sure of: no model then.
MIN_STORE_REVIEWS = 20
# Each n-gram must occur in at least this many of the store's reviews (the shipped model asks for 2 of 7,000).
STORE_MIN_DOCUMENTS = 2


def store_training_rows(*, store: Store) -> list[dict]:
    """Each corrected review of the store once, with the causes of its latest verdict."""
    rows, seen = [], set()
    corrections = CauseCorrection.objects.filter(review__store=store).select_related("review")
    for correction in corrections.order_by("review_id", "-at", "-id"):
        if correction.review_id in seen:
            continue
        seen.add(correction.review_id)
        review = correction.review
        text = f"{review.text}\n{review.appended_text}".strip()
        rows.append({"text": text, "rating": review.rating, "causes": list(correction.after)})
    return rows


@transaction.atomic
def store_model_train(*, store: Store) -> StoreCauseModel | None:
    """Train (or retrain) the store's model from its agents' verdicts; None (and no model) below MIN_STORE_REVIEWS."""
    rows = store_training_rows(store=store)
    if len(rows) < MIN_STORE_REVIEWS:
        StoreCauseModel.objects.filter(store=store).delete()
        return None
    learned = CauseModel.train(rows, min_documents=STORE_MIN_DOCUMENTS).to_json()
    found, _ = StoreCauseModel.objects.update_or_create(
        store=store,
        defaults={
            "weights": learned["weights"],
            "priors": learned["priors"],
            "reviews": len(rows),
            "trained_at": timezone.now(),
        },
    )
    return found


def store_models_train() -> int:
    """The nightly run: retrain every store whose agents gave a verdict since its model was trained."""
    latest = CauseCorrection.objects.values("review__store").annotate(last=Max("at"))
    trained = {m.store_id: m.trained_at for m in StoreCauseModel.objects.all()}
    count = 0
    for row in latest:
        store_id = row["review__store"]
        if store_id not in trained or row["last"] > trained[store_id]:
            store_model_train(store=Store.objects.get(pk=store_id))
            count += 1
    return count


def classifier_figures_compute() -> ClassifierFigures:
    """The shipped classifier's figures that take tens of seconds: cross-validation over the synthetic sets, the
    blind rounds, the real reviews. Kept with the time computed; the quality page shows them as they stand."""
    real = real_figures()
    figures = {
        "cross_validation": scores_to_json(shipped_cross_validation().classifier),
        "blind_rounds": scores_to_json(blind_rounds()),
        "real_dev": scores_to_json(real.dev),
        **{f"real_{part}": scores_to_json(scores) for part, scores in real.heldout.items()},
    }
    found, _ = ClassifierFigures.objects.update_or_create(
        name="shipped", defaults={"figures": figures, "computed_at": timezone.now()}
    )
    return found
