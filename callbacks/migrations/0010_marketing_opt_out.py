"""The opt-out refusing a marketing call has its own reason, `marketing_opt_out` (callbacks.models.RefusalReason).
Return visits withdrawn for it before read `sms_opt_out`: a call can only have been refused for the opt-out as
marketing (the gate lets care, logistics and case calls go), so each suppressed call row with that reason takes the
new one. SMS rows keep theirs."""

from django.db import migrations

CALL_CHANNELS = ("call", "dedicated")


def calls_refused_as_marketing(apps, schema_editor):
    FollowUp = apps.get_model("callbacks", "FollowUp")
    FollowUp.objects.filter(
        status="suppressed", suppressed_reason="sms_opt_out", channel__in=CALL_CHANNELS, purpose="return_visit"
    ).update(suppressed_reason="marketing_opt_out")


def calls_refused_for_sms(apps, schema_editor):
    FollowUp = apps.get_model("callbacks", "FollowUp")
    FollowUp.objects.filter(suppressed_reason="marketing_opt_out").update(suppressed_reason="sms_opt_out")


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0009_claim_recipient"),
    ]

    operations = [migrations.RunPython(calls_refused_as_marketing, calls_refused_for_sms)]
