import gc

from django.conf import settings
from django.urls import clear_url_caches, reverse
from django.urls.resolvers import URLResolver
from django.utils import translation

from config.warmup import COLLECT_AFTER, warm_up_and_freeze


def test_start_up_freezes_what_is_loaded_and_collects_less_often():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's default: another test may have started up as a worker already
    try:
        warm_up_and_freeze()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == COLLECT_AFTER
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_start_up_builds_url_reversal_for_every_language(monkeypatch):
    """The first reverse() in a worker (its SMS status callback URL) or in a web request of either language finds
    the tables built at start-up: none is built later."""
    clear_url_caches()
    before = gc.get_threshold()
    try:
        warm_up_and_freeze()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    built = []
    original = URLResolver._populate
    monkeypatch.setattr(URLResolver, "_populate", lambda self: (built.append(self), original(self))[1])
    reverse("health")  # no language activated, as in a worker
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("health")
    assert built == []
