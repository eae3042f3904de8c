"""An agent's shift and evening capacity are held per store (ADR 0045): they move from Agent to AgentStore, the
membership of each store the person serves. Each membership starts with the person's values as they were, so every
store plans and assigns as it did; from then on each store's managers change their own store's."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def carry_to_every_store(apps, schema_editor):
    Agent, AgentStore = apps.get_model("crm", "Agent"), apps.get_model("crm", "AgentStore")
    person = Agent.objects.filter(pk=OuterRef("agent_id"))
    AgentStore.objects.update(
        on_shift=Subquery(person.values("on_shift")[:1]),
        evening_capacity=Subquery(person.values("evening_capacity")[:1]),
    )


def back_to_the_person(apps, schema_editor):
    """On shift where on shift in any store; the largest of the stores' capacities (20 for someone serving none)."""
    Agent, AgentStore = apps.get_model("crm", "Agent"), apps.get_model("crm", "AgentStore")
    memberships = AgentStore.objects.filter(agent_id=OuterRef("pk"))
    Agent.objects.update(
        on_shift=Exists(memberships.filter(on_shift=True)),
        evening_capacity=Coalesce(
            Subquery(memberships.order_by("-evening_capacity").values("evening_capacity")[:1]), Value(20)
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("crm", "0031_evidence_captions_one_line")]

    operations = [
        migrations.AddField(
            model_name="agentstore",
            name="on_shift",
            field=models.BooleanField(default=False, verbose_name="on shift"),
        ),
        migrations.AddField(
            model_name="agentstore",
            name="evening_capacity",
            field=models.PositiveSmallIntegerField(default=20, verbose_name="evening call capacity"),
        ),
        migrations.RunPython(carry_to_every_store, back_to_the_person),
        migrations.RemoveField(model_name="agent", name="on_shift"),
        migrations.RemoveField(model_name="agent", name="evening_capacity"),
    ]
