"""Agent.stores takes a role per store (ADR 0045): the many-to-many's own table becomes the AgentStore model, with a
role column. Every store a store manager's account served is one they manage; every other account's, one they serve
as an agent, as it was when the role was the account's group alone."""

import django.db.models.deletion
from django.db import migrations, models

STORE_MANAGER = "store_manager"  # crm.roles.STORE_MANAGER, as migration 0002 made the group


def managers_manage_what_they_serve(apps, schema_editor):
    AgentStore = apps.get_model("crm", "AgentStore")
    AgentStore.objects.filter(agent__user__groups__name=STORE_MANAGER).update(role="manager")


class Migration(migrations.Migration):
    dependencies = [("crm", "0029_customer_name_prefix_index")]

    operations = [
        # The table is already there (Django made it for the many-to-many): only the model is new to the state.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AgentStore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="crm.agent"
                            ),
                        ),
                        (
                            "store",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="crm.store",
                                verbose_name="store",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "store served",
                        "verbose_name_plural": "stores served",
                        "db_table": "crm_agent_stores",
                        "unique_together": {("agent", "store")},
                    },
                ),
                migrations.AlterField(
                    model_name="agent",
                    name="stores",
                    field=models.ManyToManyField(
                        related_name="agents", through="crm.AgentStore", to="crm.store", verbose_name="stores served"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="agentstore",
            name="role",
            field=models.CharField(
                choices=[("agent", "agent"), ("manager", "store manager")],
                default="agent",
                max_length=16,
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="agentstore",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["agent", "manager"])), name="agent_store_role_valid"
            ),
        ),
        migrations.RunPython(managers_manage_what_they_serve, migrations.RunPython.noop),
    ]
