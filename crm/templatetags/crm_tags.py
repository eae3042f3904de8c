from decimal import Decimal

from django import template

from crm.models import Remedy
from crm.money import money_text
from crm.phones import mask_phone
from crm.punctuation import LABEL_SEPARATOR, itemised, listed
from crm.readable.audit import audit_action_label, audit_lines, audit_target
from crm.readable.customers import customer_change_text
from crm.readable.values import join

register = template.Library()


@register.simple_tag
def colon() -> str:
    """What parts a label from its value in the reader's language: `{% translate "Photo" %}{% colon %}{{ caption }}`
    reads "Photo: …" in English, "照片：…" in Chinese (crm.punctuation). Only the mark: the label and the value around
    it are escaped as any other."""
    return str(LABEL_SEPARATOR)


@register.filter(name="listed")
def listed_filter(items, attribute: str = "") -> str:
    """The items (each one's `attribute`, if named) as the reader's language lists them: "Care, Our story" in English,
    "保养说明、品牌故事" in Chinese (crm.punctuation). Plain text, escaped as any other."""
    return listed(getattr(item, attribute) if attribute else item for item in items)


@register.filter(name="itemised")
def itemised_filter(items) -> str:
    """Clauses (why a customer is in a segment, the options tried) set apart as the reader's language does: "A; B" in
    English, "A；B" in Chinese (crm.punctuation). Plain text, escaped as any other."""
    return itemised(items)


@register.filter
def money(amount: Decimal | None, currency: str = "CNY") -> str:
    """An amount with its currency's sign ("¥1,299.00", "€40.00"); a currency without a known sign by its code."""
    return money_text(amount, currency)


@register.filter
def masked(phone: str) -> str:
    """The phone with its middle hidden: agents see the full number only by an audited reveal."""
    return mask_phone(phone) if phone else "–"


@register.filter
def remedy_label(kind: str) -> str:
    """A remedy kind stored in a step's data ("coupon"), in words of the reader's language."""
    return str(dict(Remedy.Kind.choices).get(kind, kind))


@register.filter
def change_text(change, store=None) -> str:
    """A row of a customer's change history in words, its times in `store`'s time zone."""
    return customer_change_text(change, store=store)


@register.filter
def audit_action(action: str) -> str:
    return audit_action_label(action)


@register.filter(name="audit_target")
def audit_target_filter(entry) -> str:
    """What an audit entry is about, in words: "工单 #12", a report section's title, not "case #12" or "pareto"."""
    return audit_target(entry)


@register.filter
def audit_details(entry) -> str:
    """What an audit entry recorded, in words: the fields that changed, not the stored dict."""
    return join(audit_lines(entry))
