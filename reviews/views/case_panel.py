"""The review on the case page: what the customer wrote, its rating and causes, and a link to work the review
(reply, causes, evidence pack). Registered with crm's case workspace in ReviewsConfig.ready() (ADR 0023)."""

from crm.casework import CasePanel
from crm.models import Case

from ..selectors import reviews_for_user


def _context(*, case: Case, user) -> dict | None:
    reviews = list(reviews_for_user(user=user).filter(case=case).order_by("posted_at", "id"))
    return {"case_reviews": reviews} if reviews else None


REVIEW_PANEL = CasePanel(name="reviews", template="reviews/_case_panel.html", context=_context, order=10)
