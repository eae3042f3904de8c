"""Roles are Django groups, created by a data migration."""

AGENT = "agent"
STORE_MANAGER = "store_manager"
ALL = (AGENT, STORE_MANAGER)


def is_store_manager(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    # Asked by the view, its selectors and the nav about the same request.user: one query per request.
    known = getattr(user, "_crm_is_store_manager", None)
    if known is None:
        known = user._crm_is_store_manager = user.groups.filter(name=STORE_MANAGER).exists()
    return known
