"""crm's own receivers: an agent taken off stores, or switched off, hands their work on (crm.services.agents).

Stores are taken from an agent in the Django admin (either side of the many-to-many: the agent's form or the
store's), in a script or a shell, so this listens to the relation itself rather than to one form. Connected in
CrmConfig.ready()."""

from crm.models import Agent, Store
from crm.services.agents import agent_leave_stores


def stores_left(sender, *, instance, action: str, reverse: bool, model, pk_set, **_kwargs) -> None:
    """m2m_changed of Agent.stores, either direction: post_remove hands on at once; a clear() is seen before
    (pre_clear, to know who served what) and handed on after (post_clear)."""
    if action == "pre_clear":
        if reverse:  # store.agents.clear()
            instance._leaving = {(agent_id, instance.pk) for agent_id in instance.agents.values_list("pk", flat=True)}
        else:  # agent.stores.clear()
            instance._leaving = {(instance.pk, store_id) for store_id in instance.stores.values_list("pk", flat=True)}
        return
    if action == "post_remove":
        if reverse:
            pairs = {(agent_id, instance.pk) for agent_id in pk_set}
        else:
            pairs = {(instance.pk, store_id) for store_id in pk_set}
    elif action == "post_clear":
        pairs = getattr(instance, "_leaving", set())
        instance._leaving = set()
    else:
        return
    by_agent: dict[int, set[int]] = {}
    for agent_id, store_id in pairs:
        by_agent.setdefault(agent_id, set()).add(store_id)
    for agent_id, store_ids in sorted(by_agent.items()):
        agent_leave_stores(agent_id=agent_id, store_ids=store_ids)


def user_was_active(sender, *, instance, update_fields=None, raw: bool = False, **_kwargs) -> None:
    """pre_save of the user model: remember whether the login was on, when this save may switch it off."""
    if raw or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        return
    instance._was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()


def user_switched_off(sender, *, instance, raw: bool = False, **_kwargs) -> None:
    """post_save of the user model: an agent whose login was just switched off leaves every store they serve (they
    keep the stores on file, as an agent who left does; crm.selectors.agents_serving leaves them out)."""
    if raw or instance.is_active or not getattr(instance, "_was_active", False):
        return
    instance._was_active = False
    agent = Agent.objects.filter(user_id=instance.pk).first()
    if agent is not None:
        agent_leave_stores(agent_id=agent.pk, store_ids=Store.objects.filter(agents=agent).values_list("pk", flat=True))
