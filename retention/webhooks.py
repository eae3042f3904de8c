"""The provider's status callbacks for campaign SMS (signed like every Twilio webhook)."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from callbacks.services.inbound import queue_message_status_record
from callbacks.webhooks.signature import twilio_signed

from .models import CampaignContact


@csrf_exempt
@require_POST
@twilio_signed
def message_status(request, contact_id: int, params: dict[str, str]):
    queue_message_status_record(queue="campaigns", model=CampaignContact, row_id=contact_id, payload=params)
    return HttpResponse(status=204)
