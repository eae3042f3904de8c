from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from crm.services.sla import SlaStatus

register = template.Library()


def _duration(minutes: int) -> str:
    hours, minutes = divmod(abs(minutes), 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


@register.simple_tag
def sla_left(status: SlaStatus) -> str:
    """'3 h 20 min left' in a badge coloured by urgency, or 'late by ...' once breached."""
    if status.left_minutes is None:
        return ""
    if status.breached:
        return format_html(
            '<span class="badge bad">{}</span>', _("late by %(time)s") % {"time": _duration(status.left_minutes)}
        )
    css = "warn" if status.soon else "ok"
    return format_html(
        '<span class="badge {}">{}</span>', css, _("%(time)s left") % {"time": _duration(status.left_minutes)}
    )
