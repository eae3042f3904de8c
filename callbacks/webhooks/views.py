"""Thin webhook views: verify the signature, hand the parameters to one service, answer what Twilio expects."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from callbacks.models import CaseCall, FollowUp
from callbacks.services.inbound import call_status_record, inbound_sms_receive, message_status_record

from .signature import twilio_signed


def _twiml(response) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


@csrf_exempt
@require_POST
@twilio_signed
def message_status(request, followup_id: int, params: dict[str, str]):
    message_status_record(followup_id=followup_id, payload=params)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@twilio_signed
def call_status(request, followup_id: int, params: dict[str, str]):
    call_status_record(followup_id=followup_id, payload=params)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@twilio_signed
def inbound_sms(request, params: dict[str, str]):
    inbound_sms_receive(payload=params)
    return _twiml(MessagingResponse())


@csrf_exempt
@require_POST
@twilio_signed
def case_call_status(request, case_call_id: int, params: dict[str, str]):
    call_status_record(case_call_id=case_call_id, payload=params)
    return HttpResponse(status=204)


def _bridge(customer) -> HttpResponse:
    """The TwiML fetched by Twilio when the agent answers: connect the customer, showing our number."""
    response = VoiceResponse()
    if customer is None or not customer.phone:
        response.say("This call has no number to dial.", language="en-US")
        response.hangup()
        return _twiml(response)
    response.say("正在为您接通客户。", language="cmn-CN")
    dial = response.dial(caller_id=settings.TWILIO_FROM_NUMBER or None)
    dial.number(customer.phone)
    return _twiml(response)


@csrf_exempt
@require_POST
@twilio_signed
def call_bridge(request, followup_id: int, params: dict[str, str]):
    followup = FollowUp.objects.select_related("customer").filter(pk=followup_id).first()
    return _bridge(followup.customer if followup else None)


@csrf_exempt
@require_POST
@twilio_signed
def case_call_bridge(request, case_call_id: int, params: dict[str, str]):
    case_call = CaseCall.objects.select_related("customer").filter(pk=case_call_id).first()
    return _bridge(case_call.customer if case_call else None)
