"""The customer's profile ("emotional archive"): edits kept with who and when, and audited phone reveals."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import InvalidInput, PermissionDenied
from crm.models import Customer, CustomerChange
from crm.selectors import user_serves_store
from crm.services.audit import audit_record
from crm.signals import customer_profile_changed
from crm.timezones import store_today

# What an agent may change on the call panel. Phone, VIP tier and the dedicated owner come from the order
# system and planning, not from a conversation.
EDITABLE_FIELDS = (
    "name",
    "gender",
    "birthday",
    "region",
    "personality_type",
    "interests",
    "notes",
    "contact_preference",
    "language",
    "marketing_consent_source",
    "marketing_consent_at",
)

# Kept for agents to read at a glance on the call panel: a list of words and a note, not a document.
INTERESTS_MAX = 20
INTEREST_MAX_LENGTH = 40
NOTES_MAX_LENGTH = 2000
_INTEREST_SEPARATORS = str.maketrans({"，": ",", "、": ",", "；": ",", ";": ","})

PHONE_REVEALED = "customer.phone_revealed"
FIRST_BIRTHDAY = date(1900, 1, 1)
_MINUTE = timedelta(minutes=1)


def _require_serves(*, actor, customer: Customer) -> None:
    if not user_serves_store(user=actor, store=customer.store):
        raise PermissionDenied(_("You do not serve this customer's store."))


def interests_from_text(text: str) -> list[str]:
    """The words of a form's interests field: separated by commas, Chinese commas, enumeration commas or semicolons."""
    return [word.strip() for word in text.translate(_INTEREST_SEPARATORS).split(",") if word.strip()]


def _clean(customer: Customer, field: str, value: Any) -> Any:
    if field == "interests":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidInput(_("Interests must be a list of words."), field=field)
        words = [item.strip() for item in value if item.strip()]
        if len(words) > INTERESTS_MAX:
            raise InvalidInput(_("At most %(count)d interests.") % {"count": INTERESTS_MAX}, field=field)
        if any(len(word) > INTEREST_MAX_LENGTH for word in words):
            raise InvalidInput(
                _("Each interest is at most %(count)d characters.") % {"count": INTEREST_MAX_LENGTH}, field=field
            )
        return words
    if field == "notes" and isinstance(value, str) and len(value) > NOTES_MAX_LENGTH:
        raise InvalidInput(_("Notes are at most %(count)d characters.") % {"count": NOTES_MAX_LENGTH}, field=field)
    try:
        value = Customer._meta.get_field(field).clean(value, customer)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field=field) from exc
    return value


def _check_new(customer: Customer, field: str, value: Any) -> None:
    """The rules a changed value must meet. An unchanged one is not judged again: the panel posts the whole profile,
    and a birthday stored before may be after the store's today now (the order API bounded it by the latest today on
    Earth until it took the store's today, crm.api.rows; a store moved to a zone further west has an earlier today);
    it must not block a change of the notes."""
    # No one was born after today, in the store's calendar.
    if field == "birthday" and value is not None and not FIRST_BIRTHDAY <= value <= store_today(customer.store):
        raise InvalidInput(_("The birthday must be between 1900 and today."), field=field)


@transaction.atomic
def customer_update_profile(*, customer: Customer, actor, changes: Mapping[str, Any]) -> list[CustomerChange]:
    """Apply the changed fields and keep one history row per field that really changed."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(_("This field cannot be edited here."), field=unknown[0])
    _require_serves(actor=actor, customer=customer)
    customer = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)  # ADR 0037
    now = timezone.now()
    history = []
    for field, raw in _with_consent_evidence(customer, changes, now).items():
        value = _clean(customer, field, raw)
        old = getattr(customer, field)
        if value == old:
            continue
        _check_new(customer, field, value)
        setattr(customer, field, value)
        history.append(
            CustomerChange(
                customer=customer, field=field, old_value=old, new_value=value, changed_by=actor, changed_at=now
            )
        )
    if history:
        customer.save(update_fields=[change.field for change in history] + ["updated_at"])
        CustomerChange.objects.bulk_create(history)
        customer_profile_changed.send(sender=Customer, customer=customer, fields=[change.field for change in history])
    return history


def _with_consent_evidence(customer: Customer, changes: Mapping[str, Any], now) -> dict[str, Any]:
    """Marketing consent is kept with its evidence: how it was given and when. Recording how without when means
    "now"; withdrawing it (no source) clears the time too. The history keeps both."""
    changes = dict(changes)
    if "marketing_consent_source" not in changes:
        return changes
    if not changes["marketing_consent_source"]:
        changes["marketing_consent_at"] = None
    elif not changes.get("marketing_consent_at"):
        changes["marketing_consent_at"] = customer.marketing_consent_at or now
    elif timezone.is_naive(changes["marketing_consent_at"]) or changes["marketing_consent_at"] > now:
        raise InvalidInput(_("Consent cannot be given in the future."), field="marketing_consent_at")
    elif (
        customer.marketing_consent_at and abs(changes["marketing_consent_at"] - customer.marketing_consent_at) < _MINUTE
    ):
        changes["marketing_consent_at"] = customer.marketing_consent_at  # a form shows minutes: not a change
    return changes


def customer_reveal_phone(*, customer: Customer, actor) -> str:
    """The full number, for an agent who asked for it explicitly; every reveal is written to the audit log."""
    _require_serves(actor=actor, customer=customer)
    customer_phone_reveal_audit(customer=customer, actor=actor)
    return customer.phone


def customer_phone_reveal_audit(*, customer: Customer, actor, admin_page: str = "") -> None:
    """Write down that `actor` was shown `customer`'s whole number: a reveal on the pages, or an admin change page
    that showed it (`admin_page`: the row's "app.model:pk"), audited alike."""
    audit_record(
        actor=actor,
        action=PHONE_REVEALED,
        store=customer.store,
        target=f"customer:{customer.pk}",
        data={"customer_id": customer.pk, **({"admin_page": admin_page} if admin_page else {})},
    )


def personal_data_reveal_audit(*, customers: Iterable[Customer], actor, admin_page: str) -> None:
    """Write down that an admin page (`admin_page`: "app.model:pk") showed `actor` what a provider or an order system
    sent with customers' numbers or names whole: a reveal for each customer it is known to be about, or, when it names
    no customer stored (a number since changed, a stranger's), one reveal of the page itself (ADR 0033)."""
    customers = list(customers)
    for customer in customers:
        customer_phone_reveal_audit(customer=customer, actor=actor, admin_page=admin_page)
    if not customers:
        audit_record(actor=actor, action=PHONE_REVEALED, target=admin_page, data={"admin_page": admin_page})
