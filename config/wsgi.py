import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
application = get_wsgi_application()

# Import every view now, then move everything loaded so far out of the garbage collector's reach: a batch
# of 1,000 rows allocates enough objects to trigger full collections, and each one used to walk all of
# Django's long-lived objects again (a third of an order batch's CPU; docs/performance.md).
get_resolver().url_patterns  # noqa: B018 (evaluated for its side effect: importing every URLconf and view)
gc.freeze()
