"""config.urls with one API address and one page that fail as a bug of ours would (tests of the 500 handler)."""

from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as site_patterns


def _fails(request):
    raise RuntimeError("a bug of ours, with a secret detail")


urlpatterns = [path("api/v1/fails", _fails), path("fails/", _fails), *site_patterns]
__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
