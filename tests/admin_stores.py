"""The admin's store page as a browser posts it."""

from crm.models import Store


def store_form(store: Store, **changes) -> dict:
    """The store form's fields as the store holds them, with `changes` ({field: posted value}) instead."""
    return {
        "code": store.code,
        "name": store.name,
        "platform": store.platform,
        "timezone": store.timezone,
        "manager_hotline": store.manager_hotline,
        "agent_remedy_limit": str(store.agent_remedy_limit),
        "currency": store.currency,
        **changes,
    }
