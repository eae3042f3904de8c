"""A review the customer made worse after its case was closed: a store manager marks it seen (ADR 0032).

Such a change never reopens the case; it is listed on the manager's escalations page, the agents' patrol and counted
on the home page (reviews.selectors.worse_after_close_unseen). A manager who has read it and decided (reopened the
case, or nothing more is owed) marks it seen, so the list holds only what nobody has looked at. A later change that
makes the review worse again is new news and is listed again.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from crm.services.audit import audit_record

from ..models import Review, ReviewRevision
from ..selectors import worse_after_close_unseen


@transaction.atomic
def review_after_close_mark_seen(*, review: Review, actor) -> int:
    """Mark seen the review's listed changes; returns how many there were. A second click (or a colleague's) finds
    none and writes nothing, no second audit entry either. The caller has kept to the manager's stores."""
    Review.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True).get()
    now = timezone.now()
    changes = list(worse_after_close_unseen(stores=None, now=now).filter(review=review).order_by("at", "id"))
    if not changes:
        return 0
    for change in changes:
        change.seen_at, change.seen_by = now, actor
    ReviewRevision.objects.bulk_update(changes, ["seen_at", "seen_by"])
    audit_record(
        actor=actor,
        action="review_after_close_seen",
        store=review.store,
        target=f"review:{review.pk}",
        data={"case": review.case_id, "review_changes": [_change(c) for c in changes]},
    )
    return len(changes)


def _change(revision: ReviewRevision) -> str:
    """A change as the escalations page shows it: the stars, and the start of what the customer appended."""
    stars = f"★{revision.old_rating} → ★{revision.new_rating}"
    return f"{stars}: {Truncator(revision.appended_text).chars(80)}" if revision.appended_text else stars
