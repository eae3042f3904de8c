"""Customers of a store, their emotional archive and its change history."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _

from crm.models._checks import choices_check
from crm.models.agent import Agent
from crm.models.store import Store


class CustomerGender(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class CustomerPersonality(models.TextChoices):
    UNKNOWN = "", _("Not yet known")
    DOMINANT = "dominant", _("Dominant")
    EXPRESSIVE = "expressive", _("Expressive")
    AMIABLE = "amiable", _("Amiable")
    ANALYTICAL = "analytical", _("Analytical")


class ContactPreference(models.TextChoices):
    ANY = "any", _("Any")
    SMS_ONLY = "sms_only", _("SMS only")
    NO_CALLS = "no_calls", _("No calls")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")


class MarketingConsentSource(models.TextChoices):
    """How a customer gave marketing consent (kept with the moment it was given)."""

    NONE = "", _("Not given")
    CHECKOUT = "checkout", _("Ticked at checkout")
    CALL = "call", _("Said yes on a call")
    SMS = "sms", _("Replied yes by SMS")
    WRITTEN = "written", _("In writing")
    IN_PERSON = "in_person", _("In person")


class MessageLanguage(models.TextChoices):
    """The languages a store writes to its customers in (its SMS, parcel notices and campaigns: callbacks'
    SmsLanguage is this one), and that a customer may be written to in."""

    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


# A customer's own language, or none: the store's (crm.languages.language_for_customer).
CUSTOMER_LANGUAGES = [("", _("The store's language")), *MessageLanguage.choices]


class VipTier(models.IntegerChoices):
    NONE = 0, _("None")
    SILVER = 1, _("Silver")
    GOLD = 2, _("Gold")
    PLATINUM = 3, _("Platinum")


class Customer(models.Model):
    Gender = CustomerGender
    Personality = CustomerPersonality
    ContactPreference = ContactPreference
    MarketingConsentSource = MarketingConsentSource
    VipTier = VipTier
    Language = MessageLanguage

    # No index of its own: the unique (store, external_id) index serves every lookup by store.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="customers", db_index=False)
    external_id = models.CharField(_("external id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=CustomerGender.choices, default=CustomerGender.UNKNOWN
    )
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    personality_type = models.CharField(
        _("personality type"), max_length=12, choices=CustomerPersonality.choices, blank=True, default=""
    )
    interests = models.JSONField(_("interests"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    contact_preference = models.CharField(
        _("contact preference"), max_length=16, choices=ContactPreference.choices, default=ContactPreference.ANY
    )
    sms_opt_out = models.BooleanField(_("SMS opt-out"), default=False)
    # Marketing needs consent with its evidence: when and how it was given (both set, or both empty).
    marketing_consent_at = models.DateTimeField(_("marketing consent given at"), null=True, blank=True)
    marketing_consent_source = models.CharField(
        _("marketing consent given by"),
        max_length=12,
        choices=MarketingConsentSource.choices,
        blank=True,
        default="",
        db_default="",  # ingestion's upsert leaves it out
    )
    # A cross-border store has customers who read Chinese and customers who read English: blank, the store's.
    language = models.CharField(
        _("message language"),
        max_length=7,
        choices=CUSTOMER_LANGUAGES,
        blank=True,
        default="",
        db_default="",  # ingestion's upsert sends it only when the order system does
    )
    vip_tier = models.PositiveSmallIntegerField(_("VIP tier"), choices=VipTier.choices, default=VipTier.NONE)
    dedicated_owner = models.ForeignKey(
        Agent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("dedicated owner"),
        db_index=False,  # partial index below: most customers have no owner
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["store", "name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="customer_unique_per_store"),
            choices_check("gender", CustomerGender, "customer_gender_valid"),
            choices_check("personality_type", CustomerPersonality, "customer_personality_valid"),
            choices_check("contact_preference", ContactPreference, "customer_contact_preference_valid"),
            choices_check("vip_tier", VipTier, "customer_vip_tier_valid"),
            models.CheckConstraint(
                condition=Q(language__in=["", *MessageLanguage.values]), name="customer_language_valid"
            ),
            choices_check("marketing_consent_source", MarketingConsentSource, "customer_consent_source_valid"),
            models.CheckConstraint(
                condition=Q(marketing_consent_at__isnull=True, marketing_consent_source="")
                | (Q(marketing_consent_at__isnull=False) & ~Q(marketing_consent_source="")),
                name="customer_consent_has_evidence",
            ),
            # E.164: a plus and up to 15 digits, or no phone at all.
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=r"^\+[1-9][0-9]{6,14}$"), name="customer_phone_e164"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "phone"], name="customer_store_phone"),
            # The customer list in name order: one store's page off the first, several stores' off the second; a
            # caller found by the last four digits of their phone off the third (ADR 0042). The name search's
            # trigram index is PostgreSQL's own (migration 0026).
            models.Index(fields=["store", "name", "id"], name="customer_store_name"),
            models.Index(fields=["name", "id"], name="customer_name"),
            models.Index(F("store"), Right("phone", 4), name="customer_store_phone_last4"),
            # Partial: every new customer would otherwise add a NULL entry that no query ever reads.
            models.Index(
                fields=["dedicated_owner"], condition=Q(dedicated_owner__isnull=False), name="customer_owner_set"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerChange(models.Model):
    """One edited profile field: who changed it, when, and from what to what (the archive keeps its history)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("field"), max_length=40)
    old_value = models.JSONField(_("old value"), null=True, blank=True, encoder=DjangoJSONEncoder)
    new_value = models.JSONField(_("new value"), null=True, blank=True, encoder=DjangoJSONEncoder)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("customer profile change")
        verbose_name_plural = _("customer profile changes")
        indexes = [models.Index(fields=["customer", "-changed_at"], name="customer_change_recent")]

    def __str__(self) -> str:
        return f"{self.customer_id}.{self.field} @ {self.changed_at:%Y-%m-%d %H:%M}"
