"""Thank-you letters and parcel inserts: a store's rule, its templates and cards, and what each order got.

A Letter row is written once per paid, unshipped order the rule looked at and chose (or held back as the
control group), in its customer's language (else the rule's, ADR 0052); its text is fixed once it is printed, so a
reprint is word for word the first print. Until then a change of the customer's language writes it again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Agent, Customer, Order, Store
from crm.models.customer import CUSTOMER_LANGUAGES


class LetterLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Chinese")
    EN = "en", _("English")


class AgeBand(models.TextChoices):
    ANY = "", _("Any age")
    UNDER_25 = "under_25", _("Under 25")
    FROM_25 = "25_34", _("25–34")
    FROM_35 = "35_44", _("35–44")
    FROM_45 = "45_54", _("45–54")
    FROM_55 = "55_plus", _("55 and over")


class Purchase(models.TextChoices):
    ANY = "", _("Any purchase")
    FIRST = "first", _("First purchase")
    REPEAT = "repeat", _("Repeat purchase")


class GenderCondition(models.TextChoices):
    ANY = "", _("Any gender")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class LetterRule(models.Model):
    """Which of a store's paid, unshipped orders get a letter. Every condition set must hold."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="letter_rule")
    enabled = models.BooleanField(_("letters on"), default=True)
    min_amount = models.DecimalField(_("order value at least"), max_digits=12, decimal_places=2, null=True, blank=True)
    first_purchase_only = models.BooleanField(_("first purchases only"), default=False)
    # A retention segment's id, as text: offered only when the retention app provides segments (letters.segments).
    segment = models.CharField(_("customer segment"), max_length=40, blank=True)
    control_percent = models.PositiveSmallIntegerField(_("held back as a control group (%)"), default=0)
    language = models.CharField(
        _("letter language"), max_length=7, choices=LetterLanguage.choices, default=LetterLanguage.ZH_HANS
    )
    handwriting = models.BooleanField(_("print handwriting cue cards"), default=False)
    signing_agent = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("signed by")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("letter rule")
        verbose_name_plural = _("letter rules")
        constraints = [
            models.CheckConstraint(condition=Q(control_percent__lte=50), name="letter_rule_control_at_most_half"),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True) | Q(min_amount__gte=0), name="letter_rule_min_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"letter rule of {self.store.code}"


class LetterTemplate(models.Model):
    """A store's letter for the customers its conditions describe; the most specific matching one is used.

    Each part holds one wording per line; a letter takes one line of each part, so a template of 5 x 5 x 5 x 3
    wordings writes 375 different letters before names and products differ (crm.wording).
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="letter_templates")
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=7, choices=LetterLanguage.choices)
    gender = models.CharField(_("gender"), max_length=6, choices=GenderCondition.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    region = models.CharField(_("region contains"), max_length=100, blank=True)
    category = models.CharField(_("product category"), max_length=100, blank=True)
    purchase = models.CharField(_("purchase"), max_length=6, choices=Purchase.choices, blank=True)
    min_amount = models.DecimalField(_("order value from"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(_("order value below"), max_digits=12, decimal_places=2, null=True, blank=True)
    openings = models.TextField(_("greetings (one wording per line)"))
    bodies = models.TextField(_("thanks (one wording per line)"))
    closings = models.TextField(_("invitation to contact us (one wording per line)"))
    signoffs = models.TextField(_("sign-offs (one wording per line)"))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    CONDITIONS = ("gender", "age_band", "region", "category", "purchase", "min_amount", "max_amount")
    PARTS = ("openings", "bodies", "closings", "signoffs")

    class Meta:
        ordering = ["store", "language", "name"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = [
            models.CheckConstraint(condition=Q(language__in=LetterLanguage.values), name="letter_template_language"),
        ]

    def __str__(self) -> str:
        return self.name


class InsertKind(models.TextChoices):
    BRAND_STORY = "brand_story", _("Brand story")
    CARE = "care", _("Care instructions")
    OFFER = "offer", _("Offer for the next purchase")
    CONTACT = "contact", _("Contact card")


class ParcelInsert(models.Model):
    """A card a store puts in parcels; it goes to every lettered order its conditions match."""

    Kind = InsertKind

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="parcel_inserts")
    kind = models.CharField(_("kind"), max_length=12, choices=InsertKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    offer_code = models.CharField(_("offer code"), max_length=40, blank=True)
    category = models.CharField(_("only for product category"), max_length=100, blank=True)
    min_amount = models.DecimalField(
        _("only for order value from"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    first_purchase_only = models.BooleanField(_("only for first purchases"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store", "kind", "title"]
        verbose_name = _("parcel insert")
        verbose_name_plural = _("parcel inserts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InsertKind.values), name="parcel_insert_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="offer") | ~Q(offer_code=""), name="parcel_insert_offer_has_code"),
        ]

    def __str__(self) -> str:
        return self.title


class PrintBatch(models.Model):
    """The letters of one store's day, printed together; once printed, later letters of the day start a new one."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="letter_batches")
    day = models.DateField(_("day (store time)"))
    created_at = models.DateTimeField(_("created at"))
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handwriting = models.BooleanField(_("handwriting cue cards"), default=False)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        constraints = [
            # One open batch per store and day: preparing twice adds to it, never beside it.
            models.UniqueConstraint(
                fields=["store", "day"], condition=Q(printed_at__isnull=True), name="print_batch_one_open_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code} {self.day} #{self.pk}"


class LetterStatus(models.TextChoices):
    LETTER = "letter", _("Letter")
    HELD_BACK = "held_back", _("Held back (control group)")


class Letter(models.Model):
    """What one order got: its letter (text fixed when written) and inserts, or its place in the control group."""

    Status = LetterStatus

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="letters")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="letter")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="letters")
    status = models.CharField(_("status"), max_length=10, choices=LetterStatus.choices)
    day = models.DateField(_("day (store time)"))
    batch = models.ForeignKey(PrintBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters")
    template = models.ForeignKey(LetterTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    variant = models.CharField(_("variant"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=7, choices=LetterLanguage.choices)
    # The customer's own language when the letter was written ("": none, the rule's language applied). A letter not
    # yet printed whose customer's language is no longer this one is written again (letters.services, ADR 0052).
    customer_language = models.CharField(
        _("customer's language"), max_length=7, choices=CUSTOMER_LANGUAGES, blank=True, default=""
    )
    text = models.TextField(_("text"), blank=True)
    fingerprint = models.CharField(max_length=40, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    reprint_count = models.PositiveSmallIntegerField(_("reprints"), default=0)
    reprinted_at = models.DateTimeField(_("last reprinted at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "order__external_id"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LetterStatus.values), name="letter_status_valid"),
            models.CheckConstraint(condition=Q(status="held_back") | ~Q(text=""), name="letter_written_has_text"),
        ]
        indexes = [
            models.Index(fields=["store", "day"], name="letter_store_day"),
            models.Index(fields=["customer", "-created_at"], name="letter_customer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} for {self.order_id}"

    @property
    def paragraphs(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]

    @property
    def fell_back(self) -> bool:
        """The customer has a language of their own and the letter is not in it: the store had no wording in it that
        fits the order, so it is in the rule's language (letters.services, ADR 0052)."""
        return bool(self.customer_language) and self.customer_language != self.language


class LetterInsert(models.Model):
    """One card that went into the parcel with a letter, as printed (the card may change later)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="inserts")
    insert = models.ForeignKey(ParcelInsert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=InsertKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    offer_code = models.CharField(_("offer code"), max_length=40, blank=True)

    class Meta:
        ordering = ["letter", "id"]
        verbose_name = _("insert sent")
        verbose_name_plural = _("inserts sent")

    def __str__(self) -> str:
        return self.title

    @property
    def kind_unless_titled(self) -> str:
        """The card's kind in the reader's language, or "" when its title already says it (a brand story titled
        "品牌故事", read in Chinese): a list of the cards a customer got names each by what the customer saw on it,
        and adds the kind only where that says something more."""
        kind = str(self.get_kind_display())
        return "" if _words(kind) == _words(self.title) else kind


def _words(text: str) -> str:
    """`text`'s letters and digits, case folded: "Brand Story." and "brand story" say the same."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())
