"""Thin webhook views: verify the signature, hand the parameters to one service, answer what Twilio expects."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from callbacks.models import FollowUp
from callbacks.services.inbound import call_status_record, inbound_sms_receive, message_status_record

from .signature import twilio_signed


def _twiml(response) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


@csrf_exempt
@require_POST
@twilio_signed
def message_status(request, followup_id: int):
    message_status_record(followup_id=followup_id, payload=request.POST.dict())
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@twilio_signed
def call_status(request, followup_id: int):
    call_status_record(followup_id=followup_id, payload=request.POST.dict())
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@twilio_signed
def inbound_sms(request):
    inbound_sms_receive(payload=request.POST.dict())
    return _twiml(MessagingResponse())


@csrf_exempt
@require_POST
@twilio_signed
def call_bridge(request, followup_id: int):
    """Fetched by Twilio when the agent answers: connect the customer, showing our number."""
    response = VoiceResponse()
    followup = FollowUp.objects.select_related("customer").filter(pk=followup_id).first()
    if followup is None or not followup.customer.phone:
        response.say("This follow-up has no number to call.", language="en-US")
        response.hangup()
        return _twiml(response)
    response.say("正在为您接通客户。", language="cmn-CN")
    dial = response.dial(caller_id=settings.TWILIO_FROM_NUMBER or None)
    dial.number(followup.customer.phone)
    return _twiml(response)
