"""Thin provider webhook views: hand the body to one service, answer what the provider expects.

Refusals (bad signature 403, unknown tracking number 404, malformed 400, too large 413) answer the API's JSON error
body.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from callbacks.webhooks.signature import twilio_signed
from crm.errors import DomainError
from logistics.errors import PushTooLarge
from logistics.services.hooks import aftership_webhook_receive, kuaidi100_push_receive
from logistics.services.notice_status import notice_status_record
from logistics.tracking.kuaidi100 import ACK


def _refused(exc: DomainError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.http_status)


def _read(read):
    """What `read` takes from the request; a body over DATA_UPLOAD_MAX_MEMORY_SIZE, which Django will not read, is
    PushTooLarge (otherwise the browser's "bad request" page)."""
    try:
        return read()
    except RequestDataTooBig:
        raise PushTooLarge() from None


@csrf_exempt
@require_POST
def kuaidi100(request):
    try:
        form = _read(lambda: request.POST)
        kuaidi100_push_receive(param=form.get("param", ""), sign=form.get("sign", ""))
    except DomainError as exc:
        return _refused(exc)
    return HttpResponse(ACK, content_type="application/json; charset=utf-8")


@csrf_exempt
@require_POST
def aftership(request):
    try:
        body = _read(lambda: request.body)
        aftership_webhook_receive(body=body, signature=request.headers.get("aftership-hmac-sha256", ""))
    except DomainError as exc:
        return _refused(exc)
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
@twilio_signed
def notice_status(request, notice_id: int, params: dict[str, str]):
    """Twilio's status callback for a parcel notice SMS (signed like every Twilio webhook)."""
    notice_status_record(notice_id=notice_id, payload=params)
    return HttpResponse(status=204)
