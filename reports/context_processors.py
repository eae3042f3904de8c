from crm import roles


def manager_nav(request) -> dict[str, bool]:
    """Whether the header shows the manager's pages."""
    user = getattr(request, "user", None)
    return {"is_store_manager": bool(user and (user.is_superuser or roles.is_store_manager(user)))}
