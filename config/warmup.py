"""Process start-up for web and worker processes: load what the first request or task would, then freeze it.

Importing every URLconf (and the views, forms and classifiers they import) up front, building the URL reversal
tables of every language (Django builds one per language at the first reverse() in it: ~50 ms, which the first SMS
sweep of each worker paid for its status callback URL), preparing the first task message (the Celery app finalised,
its message and transport modules imported; no broker connection is opened before the fork) and in web processes
preparing the review classifier (training its model, about 2 CPU-seconds over the labelled sets, and loading jieba's
dictionary; only review intake, a web request, classifies), keeps that cost out of the first request or SMS.
gc.freeze() then moves everything loaded so far out of the cyclic collector's reach: a batch of 1,000 rows allocates
enough objects to trigger full collections, and each one used to walk all of Django's long-lived objects again
(ADR 0022). The collector then runs less often than Python's default (COLLECT_AFTER): a batch's rows die together
when it ends, and collecting every 700 allocations only walked them again and again (ADR 0025).
"""

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

from reviews.classification import prepare as prepare_review_classifier

# gc.set_threshold's three numbers: a young collection every 50,000 net allocations of container objects (Python's
# default is 700), an older one every 20 young ones, a full one every 20 older ones (default 10 and 10). Counted
# with callgrind on review intake (ADR 0025): 3 % fewer instructions a batch, the collector's ~5–7 ms a batch gone.
COLLECT_AFTER = (50_000, 20, 20)


def warm_up_and_freeze(*, review_classifier: bool = False) -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (evaluated for its side effect: importing every URLconf and view)
    # A worker reverses URLs in the default language (none is activated there), a web request in its own.
    for code in {settings.LANGUAGE_CODE, *(code for code, _name in settings.LANGUAGES)}:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 (evaluated for its side effect: the language's reversal table)
    _prepare_task_messages()
    if review_classifier:
        prepare_review_classifier()
    gc.freeze()
    gc.set_threshold(*COLLECT_AFTER)


def _prepare_task_messages() -> None:
    """What the first task a process queues would do before its message goes out, but opening a connection.

    An order batch's first queued task paid ~27 ms of CPU for this in each web worker (finalising the app binds
    every task; the tasks modules, the message and transport machinery are imported); what is left of the first
    send is the broker connection, which is the forked process's own."""
    from celery import current_app

    # A worker's pool process has them from its main process (loader.init_worker, before the fork). Asking again
    # would have Celery's Django fixup run django.setup() again, whose logging config points the root logger at the
    # stderr Celery redirected to that logger: every line the process logs or prints (the console SMS) vanished.
    if not current_app.loader.worker_initialized:
        current_app.loader.import_default_modules()
    current_app.finalize(auto=True)
    current_app.amqp  # noqa: B018 (the message machinery: routes, the task message protocol)
    current_app.events.Dispatcher  # noqa: B018 (a task message imports the event dispatcher even with events off)
    with current_app.connection_for_write() as connection:
        connection.transport  # noqa: B018 (imports the broker's transport; no connection is opened)
