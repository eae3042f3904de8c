from celery import shared_task
from django.core.cache import caches
from django.db import transaction

from crm.models import Store
from reviews.services.cases import reviews_open_cases
from reviews.services.learning import classifier_figures_compute, store_model_train, store_models_train
from reviews.services.order_link import reviews_link_waiting


@shared_task(name="reviews.open_cases")
def open_cases() -> int:
    return reviews_open_cases()


@shared_task(name="reviews.link_waiting")
def link_waiting() -> int:
    return reviews_link_waiting()


@shared_task(name="reviews.train_store_models")
def train_store_models() -> int:
    return store_models_train()


@shared_task(name="reviews.train_store_model")
def train_store_model(store_id: int) -> int:
    store = Store.objects.filter(pk=store_id).first()
    found = store_model_train(store=store) if store else None
    return found.reviews if found else 0


@shared_task(name="reviews.compute_classifier_figures")
def compute_classifier_figures() -> str:
    return classifier_figures_compute().computed_at.isoformat()


FIGURES_REQUESTED = "reviews:classifier-figures-requested"


def classifier_figures_request() -> bool:
    """Enqueue the computation of the classifier's kept figures once the transaction commits, unless it was asked for
    in the last ten minutes: the quality page asks while none are kept (not on every view while the first computation
    runs, which trains some twenty models), and the demo's seed asks so the worker starts on them. Whether it was
    enqueued now."""
    if not caches["default"].add(FIGURES_REQUESTED, True, timeout=600):
        return False
    transaction.on_commit(compute_classifier_figures.delay)
    return True
