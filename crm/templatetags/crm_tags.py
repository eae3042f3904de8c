from django import template

from crm.phones import mask_phone

register = template.Library()


@register.filter
def masked(phone: str) -> str:
    """The phone with its middle hidden: agents see the full number only by an audited reveal."""
    return mask_phone(phone) if phone else "–"
