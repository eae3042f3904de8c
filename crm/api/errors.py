"""The one place where errors become HTTP responses for the API.

Body shape, for every error: {"code": ..., "message": ..., "field"?: ..., "errors"?: [...]}.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from crm.errors import DomainError
from crm.middleware import is_api


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested ValidationError detail -> [{"field": "customer.phone", "code": ..., "message": ...}]."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            out.extend(
                _flatten(value, f"{prefix}.{index}" if nested and prefix else (str(index) if nested else prefix))
            )
        return out
    code = getattr(detail, "code", "invalid")
    return [{"field": prefix, "code": str(code), "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait) + 1)
    set_rollback()

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = errors[0] if errors else {"field": "", "code": "invalid", "message": "Invalid input."}
        body = {"code": "invalid", "message": first["message"], "errors": errors}
        if first["field"]:
            body["field"] = first["field"]
        return Response(body, status=status.HTTP_400_BAD_REQUEST, headers=headers)

    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    return Response({"code": code, "message": str(exc.detail)}, status=exc.status_code, headers=headers)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """config.urls' handler404: an address nothing answers under /api/ gets the API's JSON body, not the page (a
    connector that posts to /api/v1/orders/, slash and all, reads JSON)."""
    if is_api(request):
        message = _("Nothing answers at %(path)s.") % {"path": request.path}
        return JsonResponse({"code": "not_found", "message": message}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """config.urls' handler400, for what Django refuses before any view runs (too many parameters, a host not
    allowed): JSON under /api/, the page elsewhere."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        body = {
            "code": "too_many_parameters",
            "message": _("At most %(limit)s parameters are read.") % {"limit": limit},
        }
    else:
        body = {"code": "bad_request", "message": _("The request could not be read.")}
    return JsonResponse(body, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """config.urls' handler500: a fault of ours under /api/ is answered in the API's JSON, with no detail (it is
    logged), so a connector reads a code and retries; the page elsewhere."""
    if is_api(request):
        body = {"code": "server_error", "message": _("Something went wrong on our side; the request may be retried.")}
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413
    default_message = "The request body is larger than the limit."


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    http_status = 415
    default_message = "Send the body as application/json."


class MalformedJson(DomainError):
    code = "malformed_json"
    http_status = 400
    default_message = "The body is not valid JSON."


class TooDeep(DomainError):
    code = "too_deep"
    http_status = 400
    default_message = "Objects and arrays nest too deeply."


class TooManyRows(DomainError):
    code = "too_many_rows"
    http_status = 400
    default_message = "A batch holds at most 1,000 rows."


class EmptyBatch(DomainError):
    code = "empty_batch"
    http_status = 400
    default_message = "The batch is empty."


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"
    http_status = 400
    default_message = "The Idempotency-Key header must be 1 to 255 printable ASCII characters."


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422
    default_message = "This Idempotency-Key was already used with a different request."


class AmbiguousStore(DomainError):
    code = "store_required"
    http_status = 400
    default_message = "Several of this token's stores have this object: name the store with ?store=<code>."
