"""Review domain errors; crm.api.errors and crm.middleware turn them into HTTP answers."""

from crm.errors import Conflict, InvalidInput


class DuplicateReply(Conflict):
    code = "duplicate_reply"
    default_message = "The same reply was used recently for this store: write it differently."


class ReplyVariantsExhausted(Conflict):
    code = "reply_variants_exhausted"
    default_message = "Every reply the templates can make was used recently: add templates or write one by hand."


class ReplyHasAgentWording(Conflict):
    code = "reply_has_agent_wording"
    default_message = "This reply has the agent's own wording: confirm to replace it with another draft."


class UnknownCause(InvalidInput):
    code = "unknown_cause"
    default_message = "Unknown cause."


class StepNotReady(Conflict):
    code = "step_not_ready"
    default_message = "This step cannot be ticked yet."


class EvidenceInvalid(InvalidInput):
    code = "invalid_evidence"
    default_message = "Attach a photo (JPEG, PNG or WebP) or a PDF, at most 10 MB."
