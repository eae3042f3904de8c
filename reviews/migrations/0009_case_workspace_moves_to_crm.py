"""The case workspace's generic records move to crm (ADR 0023): steps, evidence and the remedy playbook.

The tables are renamed, not copied, so every row survives; crm's migration then adopts them in its state
(crm.0013_case_workspace). Before the move the tables lose the two rules that were review-only: a step's code is
no longer limited to the five bad-review steps, and a cause may have several playbook options (one per kind).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_reply_written_by_agent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="casestep", name="casestep_step_valid"),
        migrations.RemoveConstraint(model_name="remedyplay", name="remedyplay_unique_per_cause"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="casestep", table="crm_casestep"),
                migrations.AlterModelTable(name="caseevidence", table="crm_caseevidence"),
                migrations.AlterModelTable(name="remedyplay", table="crm_remedyplay"),
            ],
            state_operations=[
                migrations.DeleteModel(name="CaseStep"),
                migrations.DeleteModel(name="CaseEvidence"),
                migrations.DeleteModel(name="RemedyPlay"),
            ],
        ),
        migrations.CreateModel(
            name="PlatformComplaint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("evidence_pack", models.CharField(blank=True, max_length=200, verbose_name="evidence pack")),
                ("filed_at", models.DateTimeField(blank=True, null=True, verbose_name="filed at")),
                (
                    "platform_reference",
                    models.CharField(blank=True, max_length=100, verbose_name="platform's reference"),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for the platform"),
                            ("removed", "Review removed"),
                            ("rejected", "Complaint rejected"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="outcome",
                    ),
                ),
                ("outcome_note", models.TextField(blank=True, verbose_name="outcome note")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="outcome at")),
                (
                    "filed_by",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="platform_complaint",
                        to="reviews.review",
                    ),
                ),
            ],
            options={
                "verbose_name": "platform complaint",
                "verbose_name_plural": "platform complaints",
            },
        ),
        migrations.AddConstraint(
            model_name="platformcomplaint",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome__in", ["pending", "removed", "rejected"])),
                name="platformcomplaint_outcome_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="platformcomplaint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("filed_at__isnull", True), models.Q(("platform_reference", ""), _negated=True), _connector="OR"
                ),
                name="platformcomplaint_filed_has_ref",
            ),
        ),
    ]
