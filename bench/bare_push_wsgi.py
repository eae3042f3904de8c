"""The reference for bench/logistics.py: the project's Django (production settings, every middleware) serving one
bare view at /hooks/kuaidi100/ that parses a Kuaidi100 push (the form, the JSON) and discards it.

    gunicorn bench.bare_push_wsgi:application
"""

import json
import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (after setup)

from logistics.tracking.kuaidi100 import ACK  # noqa: E402

settings.ROOT_URLCONF = __name__


@csrf_exempt
def bare_push(request: HttpRequest) -> HttpResponse:
    json.loads(request.POST["param"])
    request.POST["sign"]  # read, like the real hook
    return HttpResponse(ACK, content_type="application/json; charset=utf-8")


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("hooks/kuaidi100/", bare_push), path("healthz", health)]
