"""The hour (7): the store's sending hours and call hours, in its time zone."""

from datetime import datetime

from django.utils.translation import gettext as _

from callbacks.models import ContactChannel, FollowUpPolicy, RefusalReason
from crm.models import Store
from crm.timezones import to_store_local

from ..windows import daily_window
from .decisions import ContactDecision, refuse


def hour_refusal(policy: FollowUpPolicy, store: Store, channel: str, at: datetime) -> ContactDecision | None:
    if channel == ContactChannel.SMS:
        opens, closes = policy.sms_send_from, policy.sms_send_until
        reason = RefusalReason.QUIET_HOURS
    else:
        opens, closes = policy.call_hours_from, policy.call_hours_until
        reason = RefusalReason.OUTSIDE_CALL_WINDOW
    start, _end = daily_window(store=store, opens=opens, closes=closes, moment=at)
    if start <= at:
        return None
    local = to_store_local(at, store)
    detail = _(
        "It is %(now)s for the customer (%(zone)s); the store contacts customers between %(opens)s and %(closes)s."
    ) % {"now": f"{local:%H:%M}", "zone": store.timezone, "opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}
    return refuse(reason, detail, not_before=start)
