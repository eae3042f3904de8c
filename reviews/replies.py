"""Reply drafts in the store's voice: opening + body + closing, picked so no recent reply repeats.

Variation is checked, not hoped for (crm.wording): every candidate's fingerprint (its text without spaces and
punctuation) is compared with the store's recent replies and with the drafts of the same batch, and the
draft is the first unused candidate in a seeded order.
"""

import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import prod
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Store
from crm.wording import combination, combination_indices, fingerprint

from . import reply_texts
from .models import ReplyTemplate, Review, ReviewReply, Sentiment

# The longest public reply each platform takes, in characters: Tmall's and Taobao's seller explanation
# (taobao.traderate.explain.add) takes 500 Chinese characters, and JD is held to the same. A store's own site or
# another platform: the reply form's 2,000.
REPLY_MAX_LENGTH = {Store.Platform.TMALL: 500, Store.Platform.TAOBAO: 500, Store.Platform.JD: 500}
DEFAULT_REPLY_MAX_LENGTH = 2000


def reply_max_length(store: Store) -> int:
    return REPLY_MAX_LENGTH.get(store.platform, DEFAULT_REPLY_MAX_LENGTH)


# How long after a review is posted its platform takes the store's reply: Tmall's seller explanation is open for 30
# days. Neither the code nor docs name a window for Taobao, JD or a store's own site, so they have none here.
REPLY_WINDOW = {Store.Platform.TMALL: timedelta(days=30)}


@dataclass(frozen=True)
class ReplyWindow:
    """Until when the platform takes a reply to a review, and what is left of it at `now`."""

    platform: str  # its name, as the store's platform is shown
    closes_at: datetime
    days: int  # the window's length
    left: timedelta

    @property
    def is_closed(self) -> bool:
        return self.left <= timedelta(0)

    @property
    def days_left(self) -> int:
        """Whole days left (0 on the last day)."""
        return max(self.left.days, 0)


def reply_window(review, *, now: datetime | None = None) -> ReplyWindow | None:
    """The platform's reply window for the review, or None when its platform takes a reply at any time. Counted
    from when the review was posted on the platform (`posted_at`), an appended review not restarting it."""
    length = REPLY_WINDOW.get(review.store.platform)
    if length is None:
        return None
    closes_at = review.posted_at + length
    now = now or timezone.now()
    return ReplyWindow(review.store.get_platform_display(), closes_at, length.days, closes_at - now)


RECENT = timedelta(days=30)
# What a buyer scrolling a product's reviews can see: no reply may repeat among the store's last 500.
RECENT_LIMIT = 500
_PARTS = tuple(ReplyTemplate.Part.values)  # opening, body, closing (`.values` builds a new list on every read)


def language_of(text: str) -> str:
    return "en" if text and text.isascii() else "zh"


# What a logistics complaint is about, for the reply's body: damage wins over delay when both are told.
_DAMAGED = re.compile(
    r"破损|压扁|压坏|摔|碎|断|裂|变形|受损|漏|湿|damag|broken|crushed|dented|smashed|cracked|torn|leak|wet", re.I
)
_SLOW = re.compile(r"慢|久|等了|才到|才收到|延迟|没有更新|没更新|超时|slow|late|took|wait|delay|weeks?\b|days\b", re.I)


def draft_cause(*, cause: str, text: str) -> str:
    """The cause a draft is written for: logistics is told apart into a parcel that came late or one that came
    damaged ("logistics:slow", "logistics:damaged"), so the body speaks of what happened; other causes as they
    are."""
    if cause != "logistics":
        return cause
    if _DAMAGED.search(text):
        return f"{cause}:damaged"
    if _SLOW.search(text):
        return f"{cause}:slow"
    return cause


NEUTRAL = "neutral"
# What a neutral reply is written for when the review matches none of our orders: it may say so.
NO_ORDER = "no_order"
# What a reply to a suspected malicious review must never say: an apology or admission, or a promise of money,
# goods or a refund. Checked on every neutral draft and on the agent's own wording.
_FAULT_OR_COMPENSATION = re.compile(
    r"抱歉|对不起|道歉|歉意|我们的(?:错|失误|问题)|赔偿|补偿|退款|退货|红包|优惠券|返现|赠送|礼品|"
    r"sorry|apolog|our (?:fault|mistake)|refund|compensat|coupon|voucher|free gift",
    re.IGNORECASE,
)


def admits_fault_or_compensation(text: str) -> bool:
    return bool(_FAULT_OR_COMPENSATION.search(text))


def tone_of(sentiment: str, *, suspected_malicious: bool = False) -> str:
    if suspected_malicious:
        return NEUTRAL
    return "good" if sentiment == Sentiment.GOOD else "bad"


@dataclass(frozen=True)
class Voice:
    """A store's reply pieces: its own templates where it wrote some, the built-in ones elsewhere."""

    store_name: str
    own: dict[tuple[str, str, str], list[str]]  # (part, sentiment tone, cause) -> texts
    max_length: int = DEFAULT_REPLY_MAX_LENGTH  # the longest reply the store's platform takes
    # (lang, tone, cause) -> the three piece lists and their sizes: a batch asks for the same few many times.
    _resolved: dict = field(default_factory=dict, compare=False, repr=False)
    # (lang, tone, cause, product) -> {combination index: text}: a batch's drafts try the same texts many times
    # (a taken one sends the draft on to the next), so each is put together once per voice.
    _made: dict = field(default_factory=dict, compare=False, repr=False)

    def parts(self, lang: str, tone: str, cause: str) -> tuple[list[list[str]], list[int], int]:
        """The opening, body and closing pieces for a reply, their sizes and how many replies they make."""
        key = (lang, tone, cause)
        if (found := self._resolved.get(key)) is None:
            parts = [self.pieces(part, lang, tone, cause) for part in _PARTS]
            sizes = [len(p) for p in parts]
            found = self._resolved[key] = (parts, sizes, prod(sizes))
        return found

    def made(self, lang: str, tone: str, cause: str, product: str) -> dict[int, str]:
        """The replies put together so far for these pieces and product, by combination index."""
        return self._made.setdefault((lang, tone, cause, product), {})

    def pieces(self, part: str, lang: str, tone: str, cause: str) -> list[str]:
        """`cause` may carry an aspect ("logistics:slow"): a store's own templates are written per cause."""
        if tone == NEUTRAL:  # never the store's own pieces: they were written to apologise
            pieces = reply_texts.NEUTRAL[lang][part]
            if cause == NO_ORDER:
                return pieces
            only_without_an_order = reply_texts.NO_ORDER_FOUND[lang] | reply_texts.ASKS_FOR_THE_ORDER[lang]
            return [piece for piece in pieces if piece not in only_without_an_order]
        base = cause.partition(":")[0]
        own = self.own.get((part, tone, base)) or self.own.get((part, tone, "")) or self.own.get((part, "", ""))
        if own and lang == "zh":
            return own
        if part == ReplyTemplate.Part.OPENING:
            return reply_texts.OPENINGS[lang][tone]
        if part == ReplyTemplate.Part.CLOSING:
            return reply_texts.CLOSINGS[lang][tone]
        bodies = reply_texts.BODIES[lang]
        found = bodies.get((tone, cause)) or bodies.get((tone, base)) or bodies.get((tone, ""))
        return found or bodies[("bad", "other")]


# What a reply piece may hold in braces, each filled for every review: {store} its name, {product} the product
# (or 宝贝 / "item" when the review names none).
PLACEHOLDERS = ("store", "product")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A placeholder typed with a Chinese input method's full-width braces (either or both): nothing fills it.
_WIDE_PLACEHOLDER = re.compile(r"[{｛]\s*([A-Za-z_]+)\s*[}｝]")


def placeholder_problem(text: str) -> str | None:
    """Why `text` holds a placeholder no review fills (an unknown name, a brace left open, full-width braces), or
    None. A store's template with one is refused when saved; one saved before this check is never used."""
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for wide in _WIDE_PLACEHOLDER.finditer(text):
        if "｛" in wide[0] or "｝" in wide[0]:
            return _("%(written)s is written with full-width braces; write {%(name)s}.") % {
                "written": wide[0],
                "name": wide[1],
            }
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            return _("Unknown placeholder {%(name)s}; use %(allowed)s.") % {"name": name, "allowed": allowed}
    if set("{}") & set(_PLACEHOLDER.sub("", text)):
        return _("A brace is not closed: write placeholders as %(allowed)s.") % {"allowed": allowed}
    return None


def leftover_placeholder(text: str) -> str | None:
    """A placeholder left in a finished reply ("{product}", "｛name｝"), as written, or None."""
    found = _WIDE_PLACEHOLDER.search(text)
    return found[0] if found else None


def voice_for(*, store: Store) -> Voice:
    own: dict[tuple[str, str, str], list[str]] = {}
    for template in ReplyTemplate.objects.filter(store=store):
        if placeholder_problem(template.text):  # saved before placeholders were checked: it would show as typed
            continue
        tone = tone_of(template.sentiment) if template.sentiment else ""
        own.setdefault((template.part, tone, template.cause), []).append(template.text)
    return Voice(store_name=store.name, own=own, max_length=reply_max_length(store))


def recent_fingerprints(*, store: Store, exclude_review_id: int | None = None) -> set[str]:
    """The store's recent replies, read under a lock on the store row (held to the end of the transaction),
    so two batches for one store cannot each pick the same reply without seeing the other's."""
    Store.objects.select_for_update().filter(pk=store.pk).values_list("pk", flat=True).get()
    return set(recent_replies(store=store, exclude_review_id=exclude_review_id).values_list("fingerprint", flat=True))


def recent_replies(*, store: Store, exclude_review_id: int | None = None) -> QuerySet[ReviewReply]:
    """The store's last RECENT_LIMIT replies within RECENT, newest first (read from reply_store_recent_order)."""
    rows = ReviewReply.objects.filter(store=store, drafted_at__gte=timezone.now() - RECENT)
    if exclude_review_id is not None:
        rows = rows.exclude(review_id=exclude_review_id)
    return rows.order_by("-drafted_at", "-id")[:RECENT_LIMIT]


def repeats_in_recent_window(*, store: Store) -> int:
    """How many of the store's replies repeat one among the RECENT_LIMIT before it (the rule says none)."""
    window: deque[str] = deque()
    seen: Counter = Counter()
    repeats = 0
    for mark in (
        ReviewReply.objects.filter(store=store).order_by("drafted_at", "id").values_list("fingerprint", flat=True)
    ):
        repeats += seen[mark] > 0
        window.append(mark)
        seen[mark] += 1
        if len(window) > RECENT_LIMIT:
            seen[window.popleft()] -= 1
    return repeats


def candidates(*, voice: Voice, lang: str, tone: str, cause: str, product_name: str, seed: str) -> Iterator[str]:
    """Replies the pieces can make: a few random picks first (cheap), then every combination once, from a
    random starting point (decoded from one index, so the full list is never built)."""
    parts, sizes, total = voice.parts(lang, tone, cause)
    product_text = product_name or ("宝贝" if lang == "zh" else "item")
    sep = "" if lang == "zh" else " "
    made = voice.made(lang, tone, cause, product_text)
    for index in combination_indices(seed=seed, total=total):
        if (text := made.get(index)) is None:
            # Plain replacement, not str.format: a store's own template may contain any braces.
            joined = sep.join(combination(parts, sizes, index))
            text = made[index] = joined.replace("{store}", voice.store_name).replace("{product}", product_text)
        yield text


def compose(
    *,
    voice: Voice,
    text: str,
    sentiment: str,
    causes: Iterable[str],
    product_name: str,
    seed: str,
    taken: set[str],
    suspected_malicious: bool = False,
    order_known: bool = True,
) -> tuple[str, str] | None:
    """(reply, fingerprint) not in `taken`, which it then joins; None when every candidate is taken (or longer than
    the store's platform takes). A suspected malicious review gets the neutral pieces (no apology, no
    compensation), and says no order was found only when `order_known` is false."""
    cause = draft_cause(cause=next(iter(causes), ""), text=text) if sentiment != Sentiment.GOOD else ""
    if suspected_malicious:
        cause = "" if order_known else NO_ORDER
    for reply in candidates(
        voice=voice,
        lang=language_of(text),
        tone=tone_of(sentiment, suspected_malicious=suspected_malicious),
        cause=cause,
        product_name=product_name,
        seed=seed,
    ):
        if len(reply) > voice.max_length:  # the platform would refuse it
            continue
        mark = fingerprint(reply)
        if mark not in taken:
            taken.add(mark)
            return reply, mark
    return None


def compose_for_review(
    *, review: Review | SimpleNamespace, voice: Voice, taken: set[str], seed: str
) -> tuple[str, str] | None:
    """`compose` for a review (stored, or intake's row of it with the same fields): its text, sentiment, causes and
    product, and whether it is on one of our orders (intake's drafts, the redraft once it is linked to its order, the
    agent's "another wording")."""
    return compose(
        voice=voice,
        text=review.text,
        sentiment=review.sentiment,
        causes=review.causes,
        product_name=review.product,
        seed=seed,
        taken=taken,
        suspected_malicious=review.suspected_malicious,
        order_known=review.order_id is not None,
    )
