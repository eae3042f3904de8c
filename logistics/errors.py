"""Logistics' domain errors (crm.errors.DomainError: a code and an HTTP status, mapped in one place)."""

from crm.errors import DomainError, InvalidInput, NotFound


class BadSignature(DomainError):
    code = "bad_signature"
    http_status = 403
    default_message = "The push is not signed with our secret."


class MalformedPush(DomainError):
    code = "malformed_push"
    http_status = 400
    default_message = "The push is not in the provider's format."


class UnknownShipment(NotFound):
    code = "unknown_tracking_number"
    default_message = "No shipment has this tracking number."


class LogisticsPolicyInvalid(InvalidInput):
    code = "logistics_policy_invalid"
    default_message = "The logistics policy is not valid."
