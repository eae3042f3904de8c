"""Text customers wrote that pages quote as it is, for the tests that look for English on a Chinese reader's pages."""

from crm.models import CustomerChange


def quoted_sms_replies() -> list[str]:
    """The SMS replies a customer's change history quotes (callbacks' `sms_reply` rows: "STOP")."""
    rows = CustomerChange.objects.filter(field="sms_reply").values_list("new_value", flat=True)
    return [value.get("reply", "") for value in rows]
