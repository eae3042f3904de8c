"""The case workspace in crm (ADR 0023): steps, evidence and the playbook adopted from reviews (tables renamed
there, rows kept); a case's causes, triage reasons, next deadline and the manager's decision on a failed
negotiation; a remedy's fulfilment and the customer's confirmation."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0012_order_coupon_code"),
        ("reviews", "0009_case_workspace_moves_to_crm"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables came from reviews (reviews.0009) with their rows, columns and constraints.
            state_operations=[
                migrations.CreateModel(
                    name="CaseEvidence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("image", models.FileField(blank=True, upload_to="evidence/%Y/%m/", verbose_name="photo")),
                        ("url", models.URLField(blank=True, max_length=500, verbose_name="image address")),
                        ("caption", models.CharField(blank=True, max_length=200, verbose_name="caption")),
                        ("added_at", models.DateTimeField(verbose_name="added at")),
                    ],
                    options={
                        "verbose_name": "evidence photo",
                        "verbose_name_plural": "evidence photos",
                        "ordering": ["added_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="CaseStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("step", models.CharField(max_length=24, verbose_name="step")),
                        ("done_at", models.DateTimeField(verbose_name="done at")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("data", models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        "verbose_name": "case step",
                        "verbose_name_plural": "case steps",
                        "ordering": ["done_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="RemedyPlay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "cause",
                            models.CharField(
                                choices=[
                                    ("quality", "quality"),
                                    ("description_mismatch", "description_mismatch"),
                                    ("size", "size"),
                                    ("logistics", "logistics"),
                                    ("price", "price"),
                                    ("service_attitude", "service_attitude"),
                                    ("other", "other"),
                                ],
                                max_length=24,
                                verbose_name="cause",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("exchange", "Exchange, postage paid by the store"),
                                    ("gift", "Small gift"),
                                    ("coupon", "Coupon"),
                                    ("partial_refund", "Partial refund"),
                                    ("refund", "Full refund"),
                                    ("apology", "Sincere apology"),
                                    ("other", "Other"),
                                ],
                                max_length=16,
                                verbose_name="remedy",
                            ),
                        ),
                        (
                            "cost",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0"), max_digits=10, verbose_name="usual cost"
                            ),
                        ),
                        ("script", models.TextField(blank=True, verbose_name="what to say")),
                    ],
                    options={
                        "verbose_name": "remedy play",
                        "verbose_name_plural": "remedy playbook",
                        "ordering": ["store", "cause", "cost", "id"],
                    },
                ),
                migrations.AddField(
                    model_name="caseevidence",
                    name="added_by",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
                migrations.AddField(
                    model_name="caseevidence",
                    name="case",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="crm.case"
                    ),
                ),
                migrations.AddField(
                    model_name="casestep",
                    name="case",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="steps", to="crm.case"
                    ),
                ),
                migrations.AddField(
                    model_name="casestep",
                    name="done_by",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
                    ),
                ),
                migrations.AddField(
                    model_name="remedyplay",
                    name="store",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="remedy_plays", to="crm.store"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="caseevidence",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("image", ""), _negated=True),
                            models.Q(("url", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="evidence_has_image_or_url",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="casestep",
                    constraint=models.UniqueConstraint(fields=("case", "step"), name="casestep_once_per_case"),
                ),
                migrations.AddConstraint(
                    model_name="remedyplay",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "cause__in",
                                [
                                    "quality",
                                    "description_mismatch",
                                    "size",
                                    "logistics",
                                    "price",
                                    "service_attitude",
                                    "other",
                                ],
                            )
                        ),
                        name="remedyplay_cause_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="remedyplay",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["exchange", "gift", "coupon", "partial_refund", "refund", "apology", "other"])
                        ),
                        name="remedyplay_kind_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="remedyplay",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("cost__gte", 0)), name="remedyplay_cost_non_negative"
                    ),
                ),
            ],
        ),
        migrations.RemoveConstraint(model_name="remedyplay", name="remedyplay_kind_valid"),
        migrations.AddConstraint(
            model_name="remedyplay",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["exchange", "gift", "coupon", "partial_refund", "refund", "apology", "other"])
                ),
                name="remedyplay_kind_valid",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="caseevent",
            name="case_event_kind_valid",
        ),
        migrations.RemoveConstraint(
            model_name="remedy",
            name="remedy_kind_valid",
        ),
        migrations.RemoveConstraint(
            model_name="remedy",
            name="remedy_status_valid",
        ),
        migrations.AddField(
            model_name="case",
            name="causes",
            field=models.JSONField(blank=True, default=list, verbose_name="causes"),
        ),
        migrations.AddField(
            model_name="case",
            name="manager_decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
        ),
        migrations.AddField(
            model_name="case",
            name="manager_decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="crm.agent",
                verbose_name="decided by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="manager_decision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not decided yet"),
                    ("higher_remedy", "A higher remedy"),
                    ("refund", "A refund"),
                    ("platform_dispute", "The platform's dispute process"),
                ],
                default="",
                max_length=20,
                verbose_name="manager's decision",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="manager_decision_note",
            field=models.TextField(blank=True, verbose_name="manager's note"),
        ),
        migrations.AddField(
            model_name="case",
            name="negotiation_failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="negotiation failed at"),
        ),
        migrations.AddField(
            model_name="remedy",
            name="fulfilled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="remedies_fulfilled",
                to="crm.agent",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="triage_reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="triage reasons"),
        ),
        migrations.AddField(
            model_name="remedy",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed at"),
        ),
        migrations.AddField(
            model_name="remedy",
            name="confirmed_via",
            field=models.CharField(
                blank=True,
                choices=[("call", "Call"), ("sms", "SMS reply")],
                default="",
                max_length=8,
                verbose_name="confirmed by",
            ),
        ),
        migrations.AddField(
            model_name="remedy",
            name="fulfilled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="carried out at"),
        ),
        migrations.AddField(
            model_name="remedy",
            name="fulfilment_reference",
            field=models.CharField(blank=True, max_length=100, verbose_name="fulfilment reference"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"),
                    ("note", "Note"),
                    ("call", "Call"),
                    ("call_attempt", "Call attempt, not reached"),
                    ("sms", "SMS"),
                    ("evidence", "Evidence"),
                    ("remedy_proposed", "Remedy proposed"),
                    ("remedy_approved", "Remedy approved"),
                    ("remedy_declined", "Remedy declined"),
                    ("status_changed", "Status changed"),
                    ("assigned", "Assigned"),
                    ("review_changed", "Review changed"),
                    ("escalated", "Escalated"),
                    ("reopened", "Reopened"),
                    ("closed", "Closed"),
                    ("step_done", "Step done"),
                    ("cause_added", "Cause added"),
                    ("triage_changed", "Triage group changed"),
                    ("remedy_fulfilled", "Remedy carried out"),
                    ("remedy_confirmed", "Customer confirmed satisfaction"),
                    ("negotiation_failed", "Negotiation failed"),
                    ("manager_decided", "Manager decided"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="remedy",
            name="kind",
            field=models.CharField(
                choices=[
                    ("exchange", "Exchange, postage paid by the store"),
                    ("gift", "Small gift"),
                    ("coupon", "Coupon"),
                    ("partial_refund", "Partial refund"),
                    ("refund", "Full refund"),
                    ("apology", "Sincere apology"),
                    ("other", "Other"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="remedy",
            name="status",
            field=models.CharField(
                choices=[
                    ("agreed", "Agreed"),
                    ("awaiting_approval", "Awaiting approval"),
                    ("approved", "Approved"),
                    ("declined", "Declined"),
                    ("fulfilled", "Carried out"),
                    ("confirmed", "Confirmed by the customer"),
                ],
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("manager_decision__in", ["", "higher_remedy", "refund", "platform_dispute"])),
                name="case_manager_decision_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "opened",
                            "note",
                            "call",
                            "call_attempt",
                            "sms",
                            "evidence",
                            "remedy_proposed",
                            "remedy_approved",
                            "remedy_declined",
                            "status_changed",
                            "assigned",
                            "review_changed",
                            "escalated",
                            "reopened",
                            "closed",
                            "step_done",
                            "cause_added",
                            "triage_changed",
                            "remedy_fulfilled",
                            "remedy_confirmed",
                            "negotiation_failed",
                            "manager_decided",
                        ],
                    )
                ),
                name="case_event_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="remedy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["exchange", "gift", "coupon", "partial_refund", "refund", "apology", "other"])
                ),
                name="remedy_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="remedy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["agreed", "awaiting_approval", "approved", "declined", "fulfilled", "confirmed"])
                ),
                name="remedy_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="remedy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["fulfilled", "confirmed"]), _negated=True),
                    models.Q(models.Q(("fulfilment_reference", ""), _negated=True), ("fulfilled_at__isnull", False)),
                    _connector="OR",
                ),
                name="remedy_fulfilled_has_reference",
            ),
        ),
        migrations.AddConstraint(
            model_name="remedy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "confirmed"), _negated=True),
                    models.Q(("confirmed_at__isnull", False), models.Q(("confirmed_via", ""), _negated=True)),
                    _connector="OR",
                ),
                name="remedy_confirmed_has_channel",
            ),
        ),
        migrations.AddConstraint(
            model_name="remedyplay",
            constraint=models.UniqueConstraint(
                fields=("store", "cause", "kind"), name="remedyplay_unique_per_cause_kind"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="next_due",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(first_response_at__isnull=True, then=models.F("first_response_due")),
                    default=models.F("resolution_due"),
                ),
                output_field=models.DateTimeField(null=True),
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress", "awaiting_approval"])),
                fields=["store", "next_due", "id"],
                name="case_open_store_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress", "awaiting_approval"])),
                fields=["assignee", "next_due", "id"],
                name="case_open_assignee_due",
            ),
        ),
    ]
