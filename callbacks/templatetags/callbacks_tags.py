from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from callbacks.models import OUTCOME_LABELS, Call, FollowUpStatus, SuppressedReason
from crm.models import Store
from crm.templatetags import crm_tags
from crm.timezones import to_store_local

register = template.Library()

# crm's filters, under the names the call pages have always loaded them by.
register.filter("money", crm_tags.money)
register.filter("masked", crm_tags.masked)
register.filter("change_text", crm_tags.change_text)


@register.filter
def outcome_label(value: str) -> str:
    """FollowUp.outcome is free text shared with SMS outcomes; call outcomes get their translated label."""
    return OUTCOME_LABELS.get(value, value)


@register.filter
def suppressed_label(value: str) -> str:
    """Why a follow-up was held back, in words: the contact gate's reason or planning's own."""
    return str(SuppressedReason(value).label) if value in SuppressedReason.values else value


# Store-local times for the queue's many rows: strftime is a fraction of the cost of |timezone|date.
@register.filter
def store_hm(moment: datetime | None, store: Store) -> str:
    return to_store_local(moment, store).strftime("%H:%M") if moment else ""


@register.filter
def store_md_hm(moment: datetime | None, store: Store) -> str:
    return to_store_local(moment, store).strftime("%m-%d %H:%M") if moment else ""


@register.filter
def status_label(value: str) -> str:
    return FollowUpStatus(value).label if value in FollowUpStatus.values else value


# A call whose provider never reports back (the console backend, a lost callback) stops being polled.
LIVE_CALL_POLLING = timedelta(minutes=10)


@register.filter
def is_live(call: Call | None) -> bool:
    """Still worth polling: not final, and placed recently."""
    return call is not None and call.status not in Call.FINAL and call.started_at > timezone.now() - LIVE_CALL_POLLING
