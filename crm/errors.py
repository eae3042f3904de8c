"""Domain errors. Services raise these; `crm.api.errors.exception_handler` maps them to HTTP in one place.

Each error has a machine-readable `code`, an HTTP status, a human message and, where it concerns one input,
the `field` (a dotted path such as ``customer.phone``).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message: str | None = None, *, field: str | None = None, **details: Any) -> None:
        # In the request's language, and a plain str: the API renders bodies with orjson, which knows no lazy text.
        self.message = str(message or self.default_message)
        self.field = field
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class RequestTooLarge(DomainError):
    code = "request_too_large"
    http_status = 413
    default_message = _("The request is too large.")


class InvalidInput(DomainError):
    code = "invalid"
    http_status = 400
    default_message = _("The input is not valid.")


class StoreRepeated(InvalidInput):
    code = "store_repeated"
    default_message = _("Name one store only: the address names more than one.")

    def __init__(self) -> None:
        super().__init__(field="store")


class InvalidPhoneNumber(InvalidInput):
    code = "invalid_phone"
    default_message = _("Not a valid phone number.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = _("You may not do this.")


class OwnRemedyApproval(PermissionDenied):
    """A manager approving a remedy above the agent's limit that they proposed themselves, while another manager
    serves the store: a second pair of eyes approves it (ADR 0038)."""

    code = "remedy_own_proposal"
    default_message = _("You proposed this remedy: another manager of the store approves it.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("The object changed in the meantime.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not allowed in the object's current state.")


class CaseClosed(InvalidTransition):
    code = "case_closed"
    default_message = _("The case is closed.")


class RootCauseRequired(InvalidInput):
    code = "root_cause_required"
    default_message = _("A root cause is required to close a case.")


class UnknownRootCause(InvalidInput):
    code = "unknown_root_cause"
    default_message = _("Choose a root cause from the store's list.")


class ReasonRequired(InvalidInput):
    code = "reason_required"
    default_message = _("A reason is required.")


class BatchInvalid(InvalidInput):
    """A batch with one or more bad rows: nothing is written; every row error is reported.

    `errors` is a list of {"index", "field" (dotted), "code", "message"}.
    """

    code = "invalid"
    default_message = _("The batch has invalid rows; nothing was written.")

    def __init__(self, errors: list[dict[str, Any]], message: str | None = None) -> None:
        first = errors[0] if errors else {}
        super().__init__(message or first.get("message"), field=first.get("field"))
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "errors": self.errors}


class BatchRowsNotFound(BatchInvalid):
    """Every bad row names an object outside the caller's stores: 404, so nothing tells it exists elsewhere."""

    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class StepNotReady(Conflict):
    code = "step_not_ready"
    default_message = _("This step cannot be ticked yet.")


class EvidenceInvalid(InvalidInput):
    code = "invalid_evidence"
    default_message = _("Attach a photo (JPEG, PNG, WebP, or an iPhone's HEIC) or a PDF, at most 10 MB.")


class EvidenceRemoved(DomainError):
    """A stored file the upload check of today refuses, removed from its case (ADR 0047): kept for audit, never
    served. The message is the check's refusal; `case_id` leads back to the case."""

    code = "evidence_removed"
    http_status = 410
    default_message = _("This file was removed from the case: the upload check refuses it.")


class EvidenceHeld(EvidenceRemoved):
    """A stored PDF too large for the recheck to read (crm.evidence_removal.HELD_FOR_REVIEW, ADR 0047): neither passed
    nor refused, held from its case until an operator has looked at it; not served meanwhile."""

    code = "evidence_held"
    default_message = _("This file is held for an operator's review: it is too large to check here.")


class ReviewIncentiveForbidden(InvalidInput):
    """A template that trades a reward for a review (crm.platform_rules): the marketplaces forbid it."""

    code = "review_incentive_forbidden"
    default_message = _("Platform rules forbid offering a reward for a review.")


class SubmissionTokenUsed(Conflict):
    """A form's one-time token already sent another form, or by another user (crm.services.submissions)."""

    code = "submission_token_used"
    default_message = _("This form was already sent from another page: reload the page and send it again.")


class SubmissionTokenOfAnotherStore(SubmissionTokenUsed):
    """A form's one-time token already sent to another store's address (crm.services.submissions)."""

    default_message = _("This form was already sent for another store: reload this store's page and send it again.")


class SubmissionTokenOfAnotherSubject(SubmissionTokenUsed):
    """A form about one object (a case's evidence, a campaign's test message) whose one-time token was already sent
    about another object of the same store (crm.services.submissions)."""

    def __init__(self, *, kind: str, field: str | None = None) -> None:
        super().__init__(
            _("This form was already sent for another %(kind)s: reload this page and send it again.") % {"kind": kind},
            field=field,
        )
