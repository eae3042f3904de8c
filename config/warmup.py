"""Process start-up for web and worker processes: load what the first request or task would, then freeze it.

Importing every URLconf (and the views, forms and classifiers they import) up front keeps that cost out of
the first request or SMS. gc.freeze() then moves everything loaded so far out of the cyclic collector's
reach: a batch of 1,000 rows allocates enough objects to trigger full collections, and each one used to walk
all of Django's long-lived objects again (docs/performance.md).
"""

import gc

from django.urls import get_resolver


def warm_up_and_freeze() -> None:
    get_resolver().url_patterns  # noqa: B018 (evaluated for its side effect: importing every URLconf and view)
    gc.freeze()
