"""Pages show a domain error as a page (or, for an HTMX request, as a fragment) with its own HTTP status.

The API has its handler in crm.api.errors; this is its counterpart for the browser, so page views only raise.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crm.errors import DomainError


class DomainErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = "crm/_domain_error.html" if getattr(request, "htmx", False) else "crm/domain_error.html"
        return render(request, template, {"error": exception}, status=exception.http_status)
