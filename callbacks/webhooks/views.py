"""Thin webhook views: verify the signature, hand the parameters to one service, answer what Twilio expects."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from callbacks.models import CaseCall, FollowUp
from callbacks.services.calls import call_bridge_refusal
from callbacks.services.inbound import call_status_record, inbound_sms_receive, message_status_record
from callbacks.services.messages import call_language

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


def _bridge(subject: FollowUp | CaseCall | None) -> HttpResponse:
    """The TwiML fetched by Twilio when the agent answers: connect the customer, showing our number, unless their
    word refuses the call now (`call_bridge_refusal`: a wish recorded while the agent's phone rang). The agent hears
    the store's language."""
    customer = subject.customer if subject is not None else None
    language, say_language = call_language(store=subject.store if subject is not None else None)
    response = VoiceResponse()
    with translation.override(language):
        if customer is None or not customer.phone:
            response.say(_("This call has no number to dial."), language=say_language)
            response.hangup()
            return _twiml(response)
        refusal = call_bridge_refusal(subject=subject)
        if refusal is not None:
            response.say(
                _("Not connecting you to the customer. %(reason)s") % {"reason": refusal.detail}, language=say_language
            )
            response.hangup()
            return _twiml(response)
        response.say(_("Connecting you to the customer."), language=say_language)
    dial = response.dial(caller_id=settings.TWILIO_FROM_NUMBER or None)
    dial.number(customer.phone)
    return _twiml(response)


@csrf_exempt
@require_POST
@twilio_signed
def call_bridge(request, followup_id: int, params: dict[str, str]):
    return _bridge(FollowUp.objects.select_related("customer", "store").filter(pk=followup_id).first())


@csrf_exempt
@require_POST
@twilio_signed
def case_call_bridge(request, case_call_id: int, params: dict[str, str]):
    return _bridge(CaseCall.objects.select_related("customer", "store").filter(pk=case_call_id).first())
