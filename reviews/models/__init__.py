"""Reviews posted on the store's platform, matched to our orders, classified, triaged and worked as cases.

One small module per subject. The case workspace (steps, evidence, remedies, the playbook) is crm's; a review's
five steps plug into it (reviews.services.bad_review, ADR 0023). A suspected malicious review's complaint to the
platform is its own record (``platform_complaint``).
"""

from reviews.models.correction import CauseCorrection
from reviews.models.learning import ClassifierFigures, StoreCauseModel
from reviews.models.monitor import KeywordMonitor
from reviews.models.platform_complaint import PlatformComplaint, PlatformComplaintOutcome

# The migration that created ReviewPolicy names this default by its old path, reviews.models.
from reviews.models.policy import ReviewPolicy, _default_competitor_markers  # noqa: F401
from reviews.models.reply import ReplyPart, ReplyStatus, ReplyTemplate, ReviewReply
from reviews.models.review import CAUSE_VALUES, PlatformStatus, Review, ReviewRevision, Sentiment

__all__ = [
    "CAUSE_VALUES",
    "CauseCorrection",
    "ClassifierFigures",
    "KeywordMonitor",
    "PlatformComplaint",
    "PlatformComplaintOutcome",
    "PlatformStatus",
    "ReplyPart",
    "ReplyStatus",
    "ReplyTemplate",
    "Review",
    "ReviewPolicy",
    "ReviewReply",
    "ReviewRevision",
    "Sentiment",
    "StoreCauseModel",
]
