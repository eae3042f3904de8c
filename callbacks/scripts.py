"""The call script shown on the panel: the store's own, or a translated default, with its placeholders filled."""

from django.utils.translation import gettext as _

from crm.models import Customer, Order, Store

PLACEHOLDERS = ("{customer}", "{product}", "{store}", "{hotline}")


def default_script() -> str:
    return _(
        "Hello {customer}, this is {store}. Your {product} was signed for today: did everything arrive well?\n"
        "If anything is not right, please come to us first: we will put it right quickly.\n"
        "You can always reach the store manager directly on {hotline}."
    )


def default_case_script() -> str:
    return _(
        "Hello {customer}, this is {store}. We are sorry that your {product} let you down, and we would like to "
        "put it right.\n"
        "Could you tell us what happened? Photos help us understand it.\n"
        "You can always reach the store manager directly on {hotline}."
    )


def default_parcel_script() -> str:
    """A parcel at risk has not arrived: the care script's "was signed for today" would be read to a customer still
    waiting for it."""
    return _(
        "Hello {customer}, this is {store}. Your {product} is taking longer with the courier than it should, and we "
        "wanted you to hear it from us first.\n"
        "We are following it up with the courier and will let you know as soon as it moves.\n"
        "You can always reach the store manager directly on {hotline}."
    )


def render_script(body: str | None, *, store: Store, customer: Customer, order: Order | None) -> str:
    """Fill only our placeholders (plain replacement: a manager's own braces stay as typed). A case without an
    order has no product to name."""
    text = body or default_script()
    values = {
        "{customer}": customer.name,
        "{product}": (order.product_summary or order.external_id) if order else "—",
        "{store}": store.name,
        "{hotline}": store.manager_hotline or "—",
    }
    for token, value in values.items():
        text = text.replace(token, value)
    return text
