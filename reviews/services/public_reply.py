"""The public reply under a review: drafted from the store's templates, edited by the agent, never the same as a
recent reply of the store. A suspected malicious review gets a neutral reply: it never admits fault or promises
compensation (reviews.replies.reply_is_neutral)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import Conflict, InvalidInput
from crm.models import Store
from crm.timezones import to_store_local

from ..errors import (
    DuplicateReply,
    ReplyChanged,
    ReplyHasAgentWording,
    ReplyPosted,
    ReplyVariantsExhausted,
    ReplyWindowClosed,
)
from ..models import Review, ReviewReply
from ..replies import (
    admits_fault_or_compensation,
    compose_for_review,
    fingerprint,
    leftover_placeholder,
    recent_fingerprints,
    reply_max_length,
    reply_window,
    voice_for,
)


def _lock(review: Review) -> None:
    Review.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True).first()


def reply_drafts_redo(*, store: Store, reviews: list[Review]) -> int:
    """Draft again, as intake drafts, the replies of reviews whose facts changed since their draft (linked to the
    order they named, which came after them: docs/review-work.md). Returns how many drafts were written.

    A draft from before knew no order: a review matching none is suspected malicious and gets a neutral draft, which
    may tell buyers that no order was found, and names no product. Only a draft from the templates is replaced (or
    made, where every variant was taken then); a reply an agent wrote or that is posted is never touched. The caller
    holds the reviews' locks; the replies are locked next, then the store's recent replies (the order reply_redraft
    and reply_edit take them in), so an agent's save at the same moment either comes first and is kept, or comes
    after and finds the new draft changed under the page (ReplyChanged).
    """
    if not reviews:
        return 0
    replies = {
        reply.review_id: reply
        for reply in ReviewReply.objects.select_for_update()
        .filter(review_id__in=[review.pk for review in reviews])
        .order_by("pk")
    }
    redo = [
        review
        for review in reviews
        if (reply := replies.get(review.pk)) is None
        or (reply.status == ReviewReply.Status.DRAFT and not reply.written_by_agent)
    ]
    if not redo:
        return 0
    voice, taken, now = voice_for(store=store), recent_fingerprints(store=store), timezone.now()
    written = 0
    for review in redo:
        made = compose_for_review(review=review, voice=voice, taken=taken, seed=f"{store.pk}:{review.external_id}")
        if made is None:  # every variant taken: the draft from before stays (or there is still none)
            continue
        reply = replies.get(review.pk) or ReviewReply(review=review, store=store)
        reply.text, reply.fingerprint, reply.drafted_at = made[0], made[1], now
        reply.save()
        written += 1
    return written


def reply_version(reply: ReviewReply | None) -> str:
    """What a page saving the reply says it saw: its status and text (by fingerprint), or that there was none."""
    return f"{reply.status}:{reply.fingerprint}" if reply is not None else "none"


def _refuse_past_the_window(review: Review) -> None:
    """A platform with a reply window (Tmall: 30 days after the review) refuses a reply past it: none is drafted or
    saved here either, so nobody posts one the platform will not take."""
    window = reply_window(review)
    if window is not None and window.is_closed:
        raise ReplyWindowClosed(
            _(
                "%(platform)s takes a reply only within %(days)d days of the review; this one was posted on "
                "%(posted)s, so no reply can be posted under it any more."
            )
            % {
                "platform": window.platform,
                "days": window.days,
                "posted": to_store_local(review.posted_at, review.store).strftime("%Y-%m-%d"),
            },
            field="text",
        )


def _posted_refusal() -> ReplyPosted:
    return ReplyPosted(
        _(
            "This reply is already posted on the platform, and buyers read it as it is: change it there first, then "
            "save the new text here with “Posted on the platform” ticked."
        ),
        field="posted",
    )


@transaction.atomic
def reply_redraft(*, review: Review, typed: str | None = None, replace_wording: bool = False) -> ReviewReply:
    """Another variant from the templates, different from every recent reply of the store.

    `typed` is what the reply box holds as the agent asks (None: not known). An agent's wording, saved or only
    typed, is never replaced without `replace_wording`: ReplyHasAgentWording asks first.
    """
    _refuse_past_the_window(review)
    _lock(review)
    saved = ReviewReply.objects.select_for_update().filter(review=review).first()
    if saved is not None and saved.status == ReviewReply.Status.POSTED:
        raise _posted_refusal()
    typed = (typed or "").strip()
    own_wording = (saved is not None and saved.written_by_agent) or (
        bool(typed) and typed != (saved.text.strip() if saved else "")
    )
    if own_wording and not replace_wording:
        raise ReplyHasAgentWording(
            _("The reply has your own wording. Replace it with another draft, or save yours."), field="text"
        )
    taken = recent_fingerprints(store=review.store)
    made = compose_for_review(
        review=review,
        voice=voice_for(store=review.store),
        taken=taken,
        seed=f"{review.store_id}:{review.external_id}:{timezone.now().timestamp()}",
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
            "written_by_agent": False,
        },
    )
    return reply


@transaction.atomic
def reply_edit(*, review: Review, text: str, actor, posted: bool = False, based_on: str | None = None) -> ReviewReply:
    """Save the agent's wording (and optionally mark it posted); it must differ from recent replies.

    `based_on` is the reply_version the agent's page showed (None: not known). A reply saved or posted by someone
    else since is not overwritten unseen (ReplyChanged); saving what is already stored changes nothing (a second
    click keeps the first post's time and poster). A posted reply's text changes only when posted again.
    """
    text = text.strip()
    if not text:
        raise InvalidInput(_("A reply cannot be empty."), field="text")
    if placeholder := leftover_placeholder(text):
        raise InvalidInput(
            _("The reply still has the placeholder %(placeholder)s: write what it stands for.")
            % {"placeholder": placeholder},
            field="text",
        )
    if len(text) > (limit := reply_max_length(review.store)):
        raise InvalidInput(
            _("The reply has %(count)d characters; %(platform)s takes at most %(limit)d.")
            % {"count": len(text), "platform": review.store.get_platform_display(), "limit": limit},
            field="text",
        )
    if posted and review.is_removed:
        raise Conflict(
            _("The platform removed this review (%(status)s): there is no review left to reply under.")
            % {"status": review.get_platform_status_display()},
            field="posted",
        )
    _refuse_past_the_window(review)
    if review.suspected_malicious and admits_fault_or_compensation(text):
        raise InvalidInput(
            _("This review is suspected malicious: the public reply must not apologise or promise compensation."),
            field="text",
        )
    # The review, then its reply, then the store's recent replies: the order every writer of replies locks them in.
    # The review's lock makes a second click wait for the first even when there is no reply row yet to lock.
    _lock(review)
    reply = ReviewReply.objects.select_for_update().filter(review=review).first()
    mark = fingerprint(text)
    if mark in recent_fingerprints(store=review.store, exclude_review_id=review.pk):
        raise DuplicateReply(_("The same reply was used recently for this store: write it differently."), field="text")
    now = timezone.now()
    is_posted = reply is not None and reply.status == ReviewReply.Status.POSTED
    if reply is not None and reply.text == text and (is_posted or not posted):
        return reply  # already so: a second click, or a colleague saved the same
    if based_on is not None and based_on != reply_version(reply):
        raise ReplyChanged(
            _("Someone else changed this reply since you opened the page: read it, then save yours to replace it."),
            field="text",
        )
    if is_posted and not posted:
        raise _posted_refusal()
    if reply is None:
        reply = ReviewReply(review=review, store=review.store, drafted_at=now)
    # Saving a draft unchanged (to mark it posted) does not make it the agent's wording.
    reply.written_by_agent = reply.written_by_agent or reply.text != text
    reply.text, reply.fingerprint = text, mark
    if posted:
        reply.status, reply.posted_at, reply.posted_by = ReviewReply.Status.POSTED, now, actor
    reply.save()
    return reply
