"""A store's settings as the policy services store and audit them: weekdays kept as numbers, a case policy's earlier
calendars, a list or dict setting kept as its Python text, the SLA targets."""

import ast
import json
import re
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Case
from crm.punctuation import itemised, listed
from crm.readable.values import choice_labels, group_label, value_text
from crm.timezones import to_store_local

# Weekdays as stored (Monday = 0, as date.weekday()): a store's days off, its call days.
WEEKDAYS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)


def weekdays_text(value: Any) -> str:
    """Weekdays stored as numbers, as a list or as the list's text ("[5, 6]"), named: "Sat, Sun" (周六、周日)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    days = value if isinstance(value, list | tuple) else None
    if days is None or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 7 for d in days):
        return value_text(value)
    return listed(WEEKDAYS[day] for day in days) or "–"


def earlier_calendar_text(calendar: dict[str, Any], *, store) -> str:
    """A case policy's kept calendar (`CasePolicy.earlier_calendars`) in words, its end in the store's zone:
    "09:00–21:00, days off Sat, Sun, until 2027-03-07 12:00"."""
    hours = {
        "start": calendar["service_start"][:5],
        "end": calendar["service_end"][:5],
        "until": to_store_local(datetime.fromisoformat(calendar["until"]), store).strftime("%Y-%m-%d %H:%M"),
    }
    if not calendar["days_off"]:
        return _("%(start)s–%(end)s, no days off, until %(until)s") % hours
    return _("%(start)s–%(end)s, days off %(days)s, until %(until)s") % {
        **hours,
        "days": weekdays_text(calendar["days_off"]),
    }


def stored_setting(value: Any) -> Any:
    """A list or dict setting as an audit entry holds it: the value itself, or its Python text ("{'EUR': '7.80'}",
    "[{'min_amount': '300.00', ...}]") in the entries the policy services wrote with str()."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
    return value


def list_text(value: Any) -> str:
    """A stored list of words ("['TD', '退订']" or the list) as the reader's language lists them: "TD、退订"."""
    items = stored_setting(value)
    if not isinstance(items, list | tuple):
        return value_text(items)
    return listed(items) or "–"


# How the SLA targets of a store were stored in its audit entries (crm.services.policy): "priority/*: 60/720".
_SLA_TARGET = re.compile(r"^(?P<group>\w+)/(?P<source>[\w*]+): (?P<first>\d+)/(?P<resolution>\d+)$")


def sla_targets_text(value: Any) -> str:
    """A store's SLA targets as audited, in words: "优先（任意来源）：首次响应 60 分钟，解决 720 分钟"."""
    if not isinstance(value, list | tuple):
        return value_text(value)
    lines = []
    for text in value:
        match = _SLA_TARGET.match(str(text))
        if match is None:
            lines.append(str(text))
            continue
        source = match["source"]
        lines.append(
            _("%(group)s (%(source)s): first response %(first)s min, resolution %(resolution)s min")
            % {
                "group": group_label(match["group"]),
                "source": _("Any source") if source == "*" else choice_labels(Case.Source.choices)(source),
                "first": match["first"],
                "resolution": match["resolution"],
            }
        )
    return itemised(lines) or "–"
