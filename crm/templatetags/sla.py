from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from crm.models import Case
from crm.readable.details import duration_text
from crm.services.sla import SlaStatus, case_sla_status
from crm.timezones import to_store_local

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


def _local(moment, store) -> str:
    return date_format(to_store_local(moment, store), "m-d H:i")


@register.simple_tag
def case_deadline(case: Case) -> str:
    """An open case's next deadline in the store's time with what is left, or, while it waits on the customer (its
    resolution deadline stands still until it resumes), since when it waits and when it resumes by itself."""
    status = case_sla_status(case=case)
    if status.deadline == "paused":
        return format_html(
            '{}<br><span class="muted">{}</span>',
            _("Waiting on the customer since %(since)s") % {"since": _local(case.waiting_since, case.store)},
            _("resumes %(at)s") % {"at": _local(case.waiting_until, case.store)},
        )
    if status.due is None:
        return "–"
    label = _("First response") if status.deadline == "first_response" else _("Resolution")
    return format_html(
        '{}<br><span class="muted">{}</span> {}', label, _local(status.due, case.store), sla_left(status)
    )
