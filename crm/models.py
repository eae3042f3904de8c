"""Core data: stores, customers, orders, agents, cases and the audit trail.

Invariants that must never break are database constraints, not just form validation. Choice classes
live at module level so the constraints in each Meta can name them; each model re-exports its own
(``Order.Status``, ``Customer.ContactPreference`` ...).
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .validators import validate_timezone


def _choices_check(field: str, choices: type[models.Choices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class StorePlatform(models.TextChoices):
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    TAOBAO = "taobao", _("Taobao")
    OWN = "own", _("Own site")
    OTHER = "other", _("Other")


class Store(models.Model):
    Platform = StorePlatform

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=10, choices=StorePlatform.choices)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone])
    manager_hotline = models.CharField(_("manager hotline"), max_length=32, blank=True)
    # The most an agent may promise on their own; above it a remedy waits for the manager.
    agent_remedy_limit = models.DecimalField(
        _("agent remedy limit"), max_digits=10, decimal_places=2, default=Decimal("200.00")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            _choices_check("platform", StorePlatform, "store_platform_valid"),
            models.CheckConstraint(condition=~Q(timezone=""), name="store_timezone_not_empty"),
            models.CheckConstraint(condition=Q(agent_remedy_limit__gte=0), name="store_remedy_limit_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Agent(models.Model):
    """A customer-service person: an agent, or a store manager (the role is a Django group, see crm.roles)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    stores = models.ManyToManyField(Store, related_name="agents", verbose_name=_("stores served"))
    phone = models.CharField(_("phone for call bridging"), max_length=20, blank=True)
    on_shift = models.BooleanField(_("on shift"), default=False)
    evening_capacity = models.PositiveSmallIntegerField(_("evening call capacity"), default=20)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


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


class VipTier(models.IntegerChoices):
    NONE = 0, _("None")
    SILVER = 1, _("Silver")
    GOLD = 2, _("Gold")
    PLATINUM = 3, _("Platinum")


class Customer(models.Model):
    Gender = CustomerGender
    Personality = CustomerPersonality
    ContactPreference = ContactPreference
    VipTier = VipTier

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
            _choices_check("gender", CustomerGender, "customer_gender_valid"),
            _choices_check("personality_type", CustomerPersonality, "customer_personality_valid"),
            _choices_check("contact_preference", ContactPreference, "customer_contact_preference_valid"),
            _choices_check("vip_tier", VipTier, "customer_vip_tier_valid"),
            # E.164: a plus and up to 15 digits, or no phone at all.
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=r"^\+[1-9][0-9]{6,14}$"), name="customer_phone_e164"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "phone"], name="customer_store_phone"),
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


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class Order(models.Model):
    Status = OrderStatus

    # No index of its own: the unique (store, external_id) index serves every lookup by store.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders", db_index=False)
    external_id = models.CharField(_("external id"), max_length=100)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    total_amount = models.DecimalField(_("total amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # [{"sku", "name", "quantity", "unit_price"}], kept as the order system sent it.
    items = models.JSONField(_("items"), default=list, blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="order_unique_per_store"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="order_currency_iso"),
            _choices_check("status", OrderStatus, "order_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False), name="order_delivered_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "placed_at"], name="order_store_placed"),
            # Partial: orders arrive undelivered, and every query on delivered_at is a range, which implies NOT NULL.
            models.Index(
                fields=["store", "delivered_at"], condition=Q(delivered_at__isnull=False), name="order_store_delivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store.code}/{self.external_id}"

    @property
    def product_summary(self) -> str:
        names = [str(item.get("name", "")) for item in self.items if isinstance(item, dict)]
        return "、".join(n for n in names if n)


class CaseSource(models.TextChoices):
    CALL = "call", _("Follow-up call")
    REVIEW = "review", _("Review")
    INBOUND_SMS = "inbound_sms", _("Inbound SMS")
    MANUAL = "manual", _("Opened by hand")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    CLOSED = "closed", _("Closed")


class CaseCause(models.TextChoices):
    UNKNOWN = "", _("Not yet known")
    QUALITY = "quality", _("Product quality")
    DESCRIPTION_MISMATCH = "description_mismatch", _("Colour/description mismatch")
    SIZE = "size", _("Size/fit")
    LOGISTICS = "logistics", _("Logistics")
    PRICE = "price", _("Price/promotion")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    OTHER = "other", _("Other")


class TriageGroup(models.TextChoices):
    PRIORITY = "priority", _("Priority")
    NORMAL = "normal", _("Normal")
    DIFFICULT = "difficult", _("Difficult dispute")


class Case(models.Model):
    """A service case: opened by a call, a review, an inbound SMS or by hand, and worked to a close."""

    Source = CaseSource
    Status = CaseStatus
    Cause = CaseCause
    TriageGroup = TriageGroup
    OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_APPROVAL)

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    cause = models.CharField(_("cause"), max_length=24, choices=CaseCause.choices, blank=True, default="")
    triage_group = models.CharField(
        _("triage group"), max_length=10, choices=TriageGroup.choices, default=TriageGroup.NORMAL
    )
    assignee = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("assignee")
    )
    summary = models.TextField(_("summary"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    # The first call or SMS to the customer after opening: it stops the first-response clock.
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=100, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            _choices_check("source", CaseSource, "case_source_valid"),
            _choices_check("status", CaseStatus, "case_status_valid"),
            _choices_check("cause", CaseCause, "case_cause_valid"),
            _choices_check("triage_group", TriageGroup, "case_triage_group_valid"),
            # A closed case always has its root cause and close time: the Pareto depends on it.
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(root_cause="") & Q(closed_at__isnull=False)),
                name="case_closed_has_root_cause",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status"], name="case_store_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["store", "opened_at"], name="case_store_opened"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    # A call that did not reach the customer (no answer, wrong number): on the timeline, but not a first response.
    CALL_ATTEMPT = "call_attempt", _("Call attempt, not reached")
    SMS = "sms", _("SMS")
    EVIDENCE = "evidence", _("Evidence")
    REMEDY_PROPOSED = "remedy_proposed", _("Remedy proposed")
    REMEDY_APPROVED = "remedy_approved", _("Remedy approved")
    REMEDY_DECLINED = "remedy_declined", _("Remedy declined")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    REVIEW_CHANGED = "review_changed", _("Review changed")
    ESCALATED = "escalated", _("Escalated")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")


class CaseEvent(models.Model):
    """One line of a case's timeline: what happened, who did it and when."""

    Kind = CaseEventKind

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("at"))
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [_choices_check("kind", CaseEventKind, "case_event_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"


class RemedyKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange, postage paid by the store")
    GIFT = "gift", _("Small gift")
    COUPON = "coupon", _("Coupon")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    APOLOGY = "apology", _("Sincere apology")
    OTHER = "other", _("Other")


class RemedyStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class Remedy(models.Model):
    Kind = RemedyKind
    Status = RemedyStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("kind"), max_length=16, choices=RemedyKind.choices)
    description = models.TextField(_("description"), blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=20, choices=RemedyStatus.choices)
    proposed_by = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="remedies_proposed")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="remedies_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        constraints = [
            _choices_check("kind", RemedyKind, "remedy_kind_valid"),
            _choices_check("status", RemedyStatus, "remedy_status_valid"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="remedy_cost_non_negative"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""), name="remedy_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.cost})"


class AuditLog(models.Model):
    """Sensitive actions: phone reveals, policy changes, approvals, exports, profile edits."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    store = models.ForeignKey(Store, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(_("action"), max_length=50)
    target = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class WorkerHeartbeat(models.Model):
    """Written by a periodic task: proof that beat schedules and a worker runs tasks."""

    name = models.CharField(max_length=50, primary_key=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)
    hostname = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.name


# The order-system API's own tables live next to the API; importing them here makes them crm models.
from crm.api.models import ApiToken, IdempotencyRecord, InboundEvent  # noqa: E402, F401

# Per-store case policy (assignment, SLA targets, root causes) has its own module; import it here so Django
# registers its models with the app.
from crm.case_policy import CasePolicy, RootCause, SlaTarget  # noqa: E402, F401
