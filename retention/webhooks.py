"""The provider's status callbacks for campaign SMS (signed like every Twilio webhook)."""

from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from callbacks.services.inbound import sms_status_apply
from callbacks.webhooks.signature import twilio_signed

from .models import CampaignContact


@csrf_exempt
@require_POST
@twilio_signed
def message_status(request, contact_id: int, params: dict[str, str]):
    with transaction.atomic():
        row = CampaignContact.objects.select_for_update().filter(pk=contact_id).first()
        if row is not None:
            sms_status_apply(row=row, sid=params.get("MessageSid", ""), status=params.get("MessageStatus", ""))
    return HttpResponse(status=204)
