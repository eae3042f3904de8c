"""Data the order-system API keeps: store tokens, idempotency records and the inbound event log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key for one order system. Only a SHA-256 of the key is stored; the key is shown once, at creation.

    The key is 256 random bits, so a fast hash is enough: there is nothing to brute-force that a slow
    password hash would protect (see docs/decisions).
    """

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=8, help_text=_("The first characters of the key."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    stores = models.ManyToManyField("crm.Store", related_name="api_tokens", verbose_name=_("stores"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first successful answer to a request sent with an Idempotency-Key, replayed for 24 hours."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused, not replayed.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_unique_per_token")]

    def __str__(self) -> str:
        return self.key


class InboundEventKind(models.TextChoices):
    ORDER = "order", _("Order")
    DELIVERY = "delivery", _("Delivery")
    REVIEW = "review", _("Review")
    SHIPMENT = "shipment", _("Shipment")


class InboundEvent(models.Model):
    """One accepted row as the order system sent it: who, when, what. Explains how a state came to be.

    A row re-sent unchanged is not logged again (unique payload hash per object), so re-posting a batch
    adds no events; a changed row is a new event.
    """

    Kind = InboundEventKind

    kind = models.CharField(_("kind"), max_length=10, choices=InboundEventKind.choices)
    # No index of its own: the unique (store, kind, external_id, payload_hash) index leads with the store.
    # No database constraint either, on store or token (ADR 0013): a log written 1,000 rows a request would pay
    # a deferred key check per row and key at commit, for ids that come from the authenticated token. Django
    # still applies PROTECT and SET_NULL.
    store = models.ForeignKey(
        "crm.Store", on_delete=models.PROTECT, related_name="inbound_events", db_index=False, db_constraint=False
    )
    external_id = models.CharField(_("external id"), max_length=100)
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("sent by"),
        db_constraint=False,
    )
    received_at = models.DateTimeField(_("received at"))
    # JSON text as it came, not jsonb: nothing queries inside it, and PostgreSQL would parse every row.
    payload = models.TextField(_("payload"))
    payload_hash = models.CharField(max_length=32, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "kind", "external_id", "payload_hash"], name="inbound_event_unique_payload"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=InboundEventKind.values), name="inbound_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} @ {self.received_at:%Y-%m-%d %H:%M:%S}"
