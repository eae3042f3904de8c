import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from crm.models import CaseCause
from crm.timezones import to_store_local

from ..triage import REASONS

register = template.Library()
_CAUSES = dict(CaseCause.choices)


@register.filter
def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


@register.filter
def cause_label(code: str) -> str:
    return str(_CAUSES.get(code, code))


@register.filter
def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


@register.filter
def local_time(moment, store) -> str:
    return to_store_local(moment, store).strftime("%Y-%m-%d %H:%M") if moment else ""


@register.simple_tag
def highlight(
    text: str, evidence: dict[str, list[str]], hits: list[str] | None = None, limit: int | None = None
) -> SafeString:
    """The text, escaped, with the classifier's evidence words and monitor hits marked; with `limit`, only its first
    `limit` characters and an ellipsis (a list row shows the start of a review that may run to 5,000)."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    words = sorted({w for ws in (evidence or {}).values() for w in ws} | set(hits or []), key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), f'<mark class="evidence">{escape(match.group(0))}</mark>']
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 -- every piece is escaped above
