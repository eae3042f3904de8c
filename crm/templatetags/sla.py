from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from crm.readable import duration_text
from crm.services.sla import SlaStatus

register = template.Library()


@register.simple_tag
def sla_left(status: SlaStatus) -> str:
    """'3 h 20 min left' in a badge coloured by urgency, or 'late by ...' once breached."""
    if status.left_minutes is None:
        return ""
    if status.breached:
        return format_html(
            '<span class="badge bad">{}</span>', _("late by %(time)s") % {"time": duration_text(status.left_minutes)}
        )
    css = "warn" if status.soon else "ok"
    return format_html(
        '<span class="badge {}">{}</span>', css, _("%(time)s left") % {"time": duration_text(status.left_minutes)}
    )
