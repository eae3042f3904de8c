"""The contact gate's data (callbacks.services.gate): the channels and purposes of a contact, why the gate refuses
one, the contact ledger its caps count, and the numbers that opted out of a store's SMS."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Customer, Order, Store


class ContactChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    CALL = "call", _("Call")


class ContactPurpose(models.TextChoices):
    """Service purposes (care, logistics, case) and marketing, which needs the customer's recorded consent."""

    CARE = "care", _("Care")
    LOGISTICS = "logistics", _("Logistics")
    CASE = "case", _("Case")
    MARKETING = "marketing", _("Marketing")


class RefusalReason(models.TextChoices):
    """Why the contact gate (callbacks.services.gate) refuses a contact; agents see these."""

    DO_NOT_CONTACT = "do_not_contact", _("Customer asked not to be contacted")
    SMS_OPT_OUT = "sms_opt_out", _("Customer opted out of SMS")
    # The number an SMS would go to replied STOP to the store's messages, whoever holds it now (ADR 0049).
    NUMBER_OPTED_OUT = "number_opted_out", _("The number opted out of the store's SMS")
    # The same opt-out (STOP, 退订) refusing a marketing call: said as what was withheld, a call, not an SMS.
    MARKETING_OPT_OUT = "marketing_opt_out", _("Customer opted out of marketing calls")
    NO_CALLS = "no_calls", _("Customer asked not to be called")
    NO_PHONE = "no_phone", _("No phone number")
    QUIET_HOURS = "quiet_hours", _("Quiet hours in the store's time zone")
    OUTSIDE_CALL_WINDOW = "outside_call_window", _("Outside the store's call hours")
    NO_MARKETING_CONSENT = "no_marketing_consent", _("No marketing consent on record")
    CAP_REACHED = "cap_reached", _("The store's contact limit for this purpose is reached")


class NumberOptOut(models.Model):
    """A phone number that replied STOP (or another opt-out word of the store) to a store's SMS: none of the store's
    SMS goes to it, whoever holds the number now, until START or UNSTOP comes from it (ADR 0049). Twilio's refusal of
    a store's message to the number (21610) records it too, with no reply's id. Twilio's own keywords and its refusal
    record it for every store, as every store sends from our one number. Kept once lifted, with the reply that last
    changed it; written by callbacks.services.numbers only."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    phone = models.CharField(_("phone (E.164)"), max_length=20)
    # The customer the reply was matched to: whom the store last texted at the number, or who holds it. None when the
    # store has neither and Twilio's own keyword (or its refusal) reached it through our shared sending number.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    opted_out = models.BooleanField(_("opted out"))
    changed_at = models.DateTimeField(_("changed at"))
    message_sid = models.CharField(_("reply's provider id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("number opted out")
        verbose_name_plural = _("numbers opted out")
        constraints = [models.UniqueConstraint(fields=["store", "phone"], name="number_opt_out_once_per_store")]

    def __str__(self) -> str:
        return f"{self.store_id}:{self.phone} ({'out' if self.opted_out else 'in'})"


class ContactLog(models.Model):
    """The contact ledger: one row per message sent or call placed, written by the sender in the same transaction
    as its claim or call (callbacks.services.gate.contact_record). The gate's per-purpose caps count these rows."""

    Channel = ContactChannel
    Purpose = ContactPurpose

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts", db_index=False)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    channel = models.CharField(_("channel"), max_length=8, choices=ContactChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ContactPurpose.choices)
    at = models.DateTimeField(_("at"))
    # What made the contact ("care_sms", "click_to_call", "delay_notice", ...), for the customer's history.
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contact ledger")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ContactChannel.values), name="contact_channel_valid"),
            models.CheckConstraint(condition=Q(purpose__in=ContactPurpose.values), name="contact_purpose_valid"),
        ]
        indexes = [
            # The caps: a customer's recent contacts of a purpose, and an order's.
            models.Index(fields=["customer", "purpose", "at"], name="contact_customer_purpose_at"),
            models.Index(fields=["order", "purpose"], condition=Q(order__isnull=False), name="contact_order_purpose"),
            # The admin's list: a store's contacts, and a range of their times within it (crm.admin_mixins.dates).
            models.Index(fields=["store", "at"], name="contact_store_at"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose} → {self.customer_id} @ {self.at:%Y-%m-%d %H:%M}"
