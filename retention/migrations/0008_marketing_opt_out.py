"""A call campaign's rows excluded for the customer's opt-out read `sms_opt_out`; the gate now says
`marketing_opt_out` for a marketing call (callbacks 0010). A call row can only have been refused for the opt-out as
a marketing call, so it takes the new reason; an SMS row keeps its own."""

from django.db import migrations


def call_rows_refused_as_marketing(apps, schema_editor):
    CampaignContact = apps.get_model("retention", "CampaignContact")
    CampaignContact.objects.filter(channel="call", excluded_reason="sms_opt_out").update(
        excluded_reason="marketing_opt_out"
    )


def call_rows_refused_for_sms(apps, schema_editor):
    CampaignContact = apps.get_model("retention", "CampaignContact")
    CampaignContact.objects.filter(excluded_reason="marketing_opt_out").update(excluded_reason="sms_opt_out")


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0007_segment_names_unique_among_own"),
    ]

    operations = [migrations.RunPython(call_rows_refused_as_marketing, call_rows_refused_for_sms)]
