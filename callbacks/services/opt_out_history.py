"""Why a customer's SMS opt-out changed, in their change history: a reply from a number (STOP, 退订, START) or
Twilio's refusal of a message to the number as opted out (21610). The agent opening the customer's page reads who
(the system), when, and what: the reply and its number, or the carrier's refusal and the number it refused (ADR
0049). crm shows the rows by `sms_opt_out_text` (callbacks.apps)."""

from collections.abc import Mapping
from datetime import datetime

from django.utils.translation import gettext as _

from crm.models import Customer, CustomerChange
from crm.phones import mask_phone

# The field of the rows: shown as "SMS opt-out" beside the profile's own fields.
SMS_REPLY = "sms_reply"
REPLY_KEPT = 40  # characters of the reply the history keeps


def opt_out_reply_record(*, customer: Customer, opted_out: bool, body: str, phone: str, at: datetime) -> None:
    """A reply changed the customer's SMS opt-out: what they replied, and from which number (which may be one they no
    longer hold)."""
    CustomerChange.objects.create(
        customer=customer,
        field=SMS_REPLY,
        old_value=not opted_out,
        new_value={"opted_out": opted_out, "reply": body.strip()[:REPLY_KEPT], "number": phone},
        changed_by=None,
        changed_at=at,
    )


def opt_out_refusals_record(*, refused: Mapping[int, tuple[str, str]], at: datetime) -> None:
    """Twilio refused a message to these customers as opted out and opted them out: {customer id: (the number the
    message was refused for, the provider's code)}, one row each, in one statement. Only customers whose opt-out this
    refusal changed are given: a second refusal writes nothing."""
    CustomerChange.objects.bulk_create(
        [
            CustomerChange(
                customer_id=customer_id,
                field=SMS_REPLY,
                old_value=False,
                new_value={"opted_out": True, "refused": code, "number": number},
                changed_by=None,
                changed_at=at,
            )
            for customer_id, (number, code) in sorted(refused.items())
        ]
    )


def sms_opt_out_text(value) -> str:
    """A change of the SMS opt-out as the customer's history holds it, in words: 是：回复“STOP”，来自 138****0001, or
    是：运营商拒收：号码 138****0001 已退订（21610） (the number masked, as everywhere an agent reads one)."""
    if not isinstance(value, dict):
        return _("yes") if value else _("no")
    words = {"reply": value.get("reply", ""), "number": mask_phone(value.get("number", ""))}
    if "refused" in value:
        return _("yes: refused by the carrier: the number %(number)s has opted out (%(code)s)") % {
            "number": words["number"],
            "code": value["refused"],
        }
    if value.get("opted_out"):
        return _("yes: replied “%(reply)s” from %(number)s") % words
    return _("no: replied “%(reply)s” from %(number)s") % words
