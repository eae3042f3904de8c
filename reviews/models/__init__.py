"""Reviews posted on the store's platform, matched to our orders, classified, triaged and worked as cases.

One small module per subject. What the reviews team adds to a case (its bad-review checklist and evidence
photos) is in ``casework``, so crm's Case stays free of review concerns.
"""

from reviews.models.casework import CaseEvidence, CaseStep, Step
from reviews.models.correction import CauseCorrection
from reviews.models.learning import ClassifierFigures, StoreCauseModel
from reviews.models.monitor import KeywordMonitor

# The migration that created ReviewPolicy names this default by its old path, reviews.models.
from reviews.models.policy import RemedyPlay, ReviewPolicy, _default_competitor_markers  # noqa: F401
from reviews.models.reply import ReplyPart, ReplyStatus, ReplyTemplate, ReviewReply
from reviews.models.review import CAUSE_VALUES, Review, ReviewRevision, Sentiment

__all__ = [
    "CAUSE_VALUES",
    "CaseEvidence",
    "CaseStep",
    "CauseCorrection",
    "ClassifierFigures",
    "KeywordMonitor",
    "RemedyPlay",
    "ReplyPart",
    "ReplyStatus",
    "ReplyTemplate",
    "Review",
    "ReviewPolicy",
    "ReviewReply",
    "ReviewRevision",
    "Sentiment",
    "Step",
    "StoreCauseModel",
]
