"""Logistics' domain errors (crm.errors.DomainError: a code and an HTTP status, mapped in one place)."""

from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError, InvalidInput, NotFound


class BadSignature(DomainError):
    code = "bad_signature"
    http_status = 403
    default_message = _("The push is not signed with our secret.")


class MalformedPush(DomainError):
    code = "malformed_push"
    http_status = 400
    default_message = _("The push is not in the provider's format.")


class PushTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413
    default_message = _("The push is larger than we read.")


class UnknownShipment(NotFound):
    code = "unknown_tracking_number"
    default_message = _("No shipment has this tracking number.")


class TrackingNumberTaken(InvalidInput):
    """Reports of numbers that belong to other orders of the store; `positions` are theirs in the reports given."""

    code = "taken"
    default_message = _("This tracking number already belongs to another order.")

    def __init__(self, positions: list[int]) -> None:
        super().__init__(field="tracking_number")
        self.positions = positions


class LogisticsPolicyInvalid(InvalidInput):
    code = "logistics_policy_invalid"
    default_message = _("The logistics policy is not valid.")
