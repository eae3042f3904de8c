"""Request and response plumbing shared by every app.

Pages show a domain error as a page (or, for an HTMX request, as a fragment) with its own HTTP status; a refusal is
the 403 page (crm.pages says how a page's writes turn errors into messages).

The API has its handler in crm.api.errors; this is its counterpart for the browser, so page views only raise.
"""

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from crm.errors import DomainError, RequestTooLarge, StoreRepeated
from crm.pages import fragment_status, is_refusal, one_store_code


def is_api(request: HttpRequest) -> bool:
    """A request to the REST API (config.urls mounts it at /api/), which answers JSON, not pages."""
    return request.path.startswith("/api/")


def declared_length(request: HttpRequest) -> int:
    """The body length the request declares (0 when none, or none that is a number)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    if is_refusal(error) and not getattr(request, "htmx", False):
        return render(request, "403.html", {"error": error}, status=403)
    if error.http_status == 410 and not getattr(request, "htmx", False):  # a file removed from its case (ADR 0047)
        return render(request, "410.html", {"error": error}, status=410)
    if getattr(request, "htmx", False):
        return render(request, "crm/_domain_error.html", {"error": error}, status=fragment_status(error))
    return render(request, "crm/domain_error.html", {"error": error}, status=error.http_status)


class DomainErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or is_api(request):
            return None
        return _error_page(request, exception)


class OneStoreMiddleware:
    """`?store=` names one store, on every page and API read: a second one is refused (400 store_repeated) here,
    by crm.pages.one_store_code. Views and forms read the parameter with .get(), which would silently answer for
    the last store named. A form body's `store` is not read here (a middleware parses no body): page views read it
    with crm.pages.store_code, which applies the same rule. Placed after HtmxMiddleware, so an HTMX request gets
    the error fragment; the API gets its JSON error body, as crm.api.errors writes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            one_store_code(request.GET)
        except StoreRepeated as error:
            if is_api(request):
                return JsonResponse(error.as_dict(), status=error.http_status)
            return _error_page(request, error)
        return self.get_response(request)


class PageBodyLimitMiddleware:
    """A page's request (a form, with its upload) that declares more than PAGE_MAX_BODY_BYTES is refused with a 413
    page before any of its body is read.

    Django caps a form's fields in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files: an upload of any size
    was streamed to a temporary file in full before the form refused it. The API has its own limit
    (API_MAX_BODY_BYTES, crm.api.ingestion). Placed after the session, user and messages are known (the page shows
    them), before any view reads the body (CSRF's check does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            limit = settings.PAGE_MAX_BODY_BYTES
            if declared_length(request) > limit:
                message = _("The request is too large: at most %(limit)s can be sent at once.")
                return _error_page(request, RequestTooLarge(message % {"limit": filesizeformat(limit)}))
        return self.get_response(request)


class ChunkedBodyMiddleware:
    """Makes a `Transfer-Encoding: chunked` body readable, within the same limits as any other body.

    gunicorn de-chunks such a body and marks the stream `wsgi.input_terminated`, but sends no CONTENT_LENGTH,
    and Django's WSGIRequest reads exactly CONTENT_LENGTH bytes: the body read as empty. Here it is read into
    memory up to one byte past the largest limit that applies (PAGE_MAX_BODY_BYTES for pages, API_MAX_BODY_BYTES
    for the API) and handed on with its length, so every later check (PageBodyLimitMiddleware's 413, the API's 413
    payload_too_large in crm.api.ingestion, Django's RequestDataTooBig) treats it like a body that declared its
    length. The rest of an oversized body is never read; the server discards it. Servers that do not mark the
    stream terminated (Django's runserver) are left alone: reading to the end there would wait forever.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if (
            "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
            and not meta.get("CONTENT_LENGTH")
            and meta.get("wsgi.input_terminated")
        ):
            limit = max(settings.PAGE_MAX_BODY_BYTES, settings.API_MAX_BODY_BYTES)
            body = meta["wsgi.input"].read(limit + 1)
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


class ApiLanguageMiddleware:
    """The API answers in English unless the client asks for another language (Accept-Language).

    Pages default to LANGUAGE_CODE (zh-hans), for the agents; an order system's connector that sends no
    Accept-Language gets the messages docs/api.md shows, all in one language: the row readers' messages are
    English, and the domain errors' are translated. Placed right after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request) and not request.META.get("HTTP_ACCEPT_LANGUAGE"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)
