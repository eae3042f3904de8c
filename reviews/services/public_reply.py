"""The public reply under a review: drafted from the store's templates, edited by the agent, never the same as a
recent reply of the store. A suspected malicious review gets a neutral reply: it never admits fault or promises
compensation (reviews.replies.reply_is_neutral)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import InvalidInput

from ..errors import DuplicateReply, ReplyVariantsExhausted
from ..models import Review, ReviewReply
from ..replies import admits_fault_or_compensation, compose, fingerprint, recent_fingerprints, voice_for


@transaction.atomic
def reply_redraft(*, review: Review) -> ReviewReply:
    """Another variant from the templates, different from every recent reply of the store."""
    taken = recent_fingerprints(store=review.store)
    made = compose(
        voice=voice_for(store=review.store),
        text=review.text,
        sentiment=review.sentiment,
        causes=review.causes,
        product_name=review.product,
        seed=f"{review.store_id}:{review.external_id}:{timezone.now().timestamp()}",
        taken=taken,
        suspected_malicious=review.suspected_malicious,
    )
    if made is None:
        raise ReplyVariantsExhausted(
            _("Every reply the templates can make was used recently: add templates or write one by hand.")
        )
    reply, _created = ReviewReply.objects.update_or_create(
        review=review,
        defaults={
            "store": review.store,
            "text": made[0],
            "fingerprint": made[1],
            "status": ReviewReply.Status.DRAFT,
            "drafted_at": timezone.now(),
        },
    )
    return reply


@transaction.atomic
def reply_edit(*, review: Review, text: str, actor, posted: bool = False) -> ReviewReply:
    """Save the agent's wording (and optionally mark it posted); it must differ from recent replies."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("A reply cannot be empty."), field="text")
    if review.suspected_malicious and admits_fault_or_compensation(text):
        raise InvalidInput(
            _("This review is suspected malicious: the public reply must not apologise or promise compensation."),
            field="text",
        )
    mark = fingerprint(text)
    if mark in recent_fingerprints(store=review.store, exclude_review_id=review.pk):
        raise DuplicateReply(_("The same reply was used recently for this store: write it differently."), field="text")
    now = timezone.now()
    reply = ReviewReply.objects.select_for_update().filter(review=review).first()
    if reply is None:
        reply = ReviewReply(review=review, store=review.store, drafted_at=now)
    reply.text, reply.fingerprint = text, mark
    if posted:
        reply.status, reply.posted_at, reply.posted_by = ReviewReply.Status.POSTED, now, actor
    reply.save()
    return reply
