"""Review intake: upsert a batch, classify, flag, triage and draft replies, in a fixed number of queries.

Cases are not opened here: crm's case core opens them one by one (join-or-open, assignment, SLA), which would
cost ~8 queries per mid or bad review inside the batch's transaction. The case sweeper
(reviews.services.cases.reviews_open_cases, every few seconds) opens them just after; see docs/decisions.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm import bulk
from crm.models import ApiToken, Case, CaseEvent, InboundEvent, Order, Store
from crm.services.cases import case_add_event
from crm.services.ingestion.events import inbound_events_record
from crm.services.locks import advisory_lock

from ..classification import classify
from ..models import Review, ReviewReply, ReviewRevision, Sentiment
from ..replies import compose_for_review, recent_fingerprints, voice_for
from ..selectors import monitor_matcher_for, review_policy_for, store_cause_model
from ..triage import TriageFacts, competitor_matcher, triage
from .bad_review import case_had_contact
from .public_reply import reply_drafts_redo


@dataclass
class ReviewIn:
    """One review as the platform sends it (validated by the API layer)."""

    external_id: str
    rating: int
    posted_at: datetime
    # None: not sent. A stored review keeps what it has, a new one is empty; an order, once known, is never dropped.
    text: str | None = None
    order: str | None = None
    product: str | None = None
    sku: str | None = None
    images: list[str] | None = None
    likes: int | None = None
    buyer: str | None = None
    appended_text: str = ""
    appended_at: datetime | None = None
    updated_at: datetime | None = None  # the platform's time of this version, when it sends one
    status: str = ""  # visible, hidden or deleted (PlatformStatus); empty keeps what is stored
    payload: dict[str, Any] | None = None  # as sent, for the inbound event log

    @property
    def version_at(self) -> datetime:
        """The platform's time of this version: its change time, else the latest of its posting and appending."""
        return max(t for t in (self.posted_at, self.appended_at, self.updated_at) if t is not None)


def is_older_version(row: ReviewIn, review: Review) -> bool:
    """Whether `row` is an older version of the stored review than the one stored, by the platform's own times.

    Platforms deliver late and out of order: the first version of a review can arrive after the customer changed
    it. At the same time (a connector that sends no change time), a lower rating is the older version: Tmall,
    Taobao and JD let a buyer raise a mid or bad rating, never lower one. docs/review-work.md, "Intake".
    """
    theirs, ours = row.version_at, review.version_at
    if theirs != ours:
        return theirs < ours
    return row.rating < review.rating


_UPDATABLE = [
    "order_ref", "order", "customer", "buyer", "product", "sku", "rating", "original_rating", "text", "images",
    "likes", "posted_at", "appended_text", "appended_at", "platform_changed_at", "platform_status", "sentiment",
    "causes", "predicted_causes", "cause_evidence", "monitor_hits", "flagged", "triage_group", "triage_reasons",
    "suspected_malicious", "revised_after_contact", "updated_at",
]  # fmt: skip


def _state(review: Review) -> list[Any]:
    # Foreign keys by id: comparing related objects would load them, one query per row.
    return [getattr(review, Review._meta.get_field(name).attname) for name in _UPDATABLE if name != "updated_at"]


class _OrderRef(NamedTuple):
    id: int
    customer_id: int
    total_amount: Decimal
    currency: str


# A batch's reviews and orders are looked up by their keys on the (store, external_id) unique indexes with crm's
# `__key_in` lookup: one probe a key, where a list compared as an array had every store's reviews read.
_COMPLAINING = [Sentiment.MID.value, Sentiment.BAD.value]


def _count(queryset) -> Coalesce:
    """A correlated count of `queryset` (filtered by OuterRef), 0 when it finds nothing."""
    counted = queryset.order_by().values("customer_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted), 0)


def _lock_existing(*, store: Store, external_ids: set[str]) -> dict[str, Review]:
    """The batch's reviews already stored, locked (in id order) for the rest of the transaction, by external id.

    The batch's keys are locked first, stored or not: two requests bringing the same new review at the same
    instant would otherwise both see it missing and one would fail on the unique constraint. The second waits
    for the first to commit, then finds the review and answers as a repeat does ("updated", nothing changed).
    """
    advisory_lock(f"review:{store.pk}:{external_id}" for external_id in external_ids)
    found = (
        Review.objects.select_for_update(of=("self",))
        .filter(store=store, external_id__key_in=external_ids)
        .select_related("case")
        .order_by("pk")
    )
    return {review.external_id: review for review in found}


def orders_and_complaints(*, store: Store, refs: set[str]) -> tuple[dict[str, _OrderRef], Counter]:
    """The batch's orders by reference, and per customer the earlier complaints including the ones of reviews
    in this batch as stored now (the caller subtracts those).

    Earlier complaints are what triage counts: mid and bad reviews plus cases not opened by a review, by customer
    alone (a customer belongs to one store), one index probe each.
    """
    if not refs:
        return {}, Counter()
    customer = OuterRef("customer_id")
    found = (
        Order.objects.filter(store=store, external_id__key_in=refs)
        .annotate(
            complaints=_count(Review.objects.filter(customer_id=customer, sentiment__in=_COMPLAINING))
            + _count(Case.objects.filter(customer_id=customer).exclude(source=Case.Source.REVIEW))
        )
        .values_list("external_id", "id", "customer_id", "total_amount", "currency", "complaints")
    )
    orders, complaints = {}, Counter()
    for ref, pk, customer_id, amount, currency, n in found:
        orders[ref] = _OrderRef(pk, customer_id, amount, currency)
        if n:
            complaints[customer_id] = n
    return orders, complaints


def _earlier_complaints(complaints: Counter, existing: dict[str, Review]) -> Counter:
    """Complaints outside this batch: a re-posted review must not count against its own customer."""
    for review in existing.values():
        if review.customer_id in complaints and review.sentiment in _COMPLAINING:
            complaints[review.customer_id] -= 1
    return complaints


class Assessor:
    """Everything a batch needs to classify and triage a row, loaded once."""

    def __init__(self, *, store: Store, orders: dict[str, _OrderRef], complaints: Counter) -> None:
        self.policy = review_policy_for(store=store)
        self.currency = store.currency  # the high-value threshold's (ADR 0036)
        self.monitors = monitor_matcher_for(store=store)
        self.store_model = store_cause_model(store=store)
        self.competitors = competitor_matcher(self.policy)
        self.orders = orders
        self.complaints = complaints

    def apply(self, review: Review | SimpleNamespace, *, reclassify: bool) -> None:
        full_text = f"{review.text}\n{review.appended_text}".strip()
        if reclassify:
            result = classify(text=full_text, rating=review.rating, store_model=self.store_model)
            review.predicted_causes = list(result.causes)
            review.cause_evidence = result.evidence
            if not review.causes_corrected:
                review.causes = list(result.causes)
        review.monitor_hits = sorted({m.group(0) for m in self.monitors.finditer(full_text)}) if self.monitors else []
        # A review with a case stays flagged whatever its rating now: raised to good, its case is still there to
        # be worked or closed, and the patrol's flagged list is where agents find it.
        review.flagged = bool(review.monitor_hits) or review.sentiment != Sentiment.GOOD or review.case_id is not None
        order = self.orders.get(review.order_ref) if review.order_ref else None
        result = triage(
            facts=TriageFacts(
                sentiment=review.sentiment,
                text=full_text,
                sku=review.sku,
                likes=review.likes,
                images=len(review.images),
                order_amount=order.total_amount if order else None,
                order_currency=order.currency if order else "",
                earlier_complaints=self.complaints[order.customer_id] if order else 0,
                monitor_hits=review.monitor_hits,
            ),
            policy=self.policy,
            competitors=self.competitors,
            currency=self.currency,
        )
        review.triage_group, review.triage_reasons = result.group, result.reasons
        review.suspected_malicious = result.suspected_malicious


def _fill(review: Review | SimpleNamespace, row: ReviewIn, orders: dict[str, _OrderRef]) -> None:
    """The row's values onto the review; a field the row leaves out (None) keeps what the review has. The order is
    looked up again either way: one that arrived since the review is linked now."""
    if ref := row.order or review.order_ref:
        order = orders.get(ref)
        review.order_ref = ref
        review.order_id, review.customer_id = (order.id, order.customer_id) if order else (None, None)
    for name in ("buyer", "product", "sku", "text", "images", "likes"):
        if (value := getattr(row, name)) is not None:
            setattr(review, name, value)
    review.rating, review.sentiment, review.posted_at = row.rating, Review.sentiment_for(row.rating), row.posted_at
    if row.appended_text:
        # Without its time, an appended text already stored keeps the time we first heard of it.
        kept = review.appended_at if row.appended_text == review.appended_text else None
        review.appended_text, review.appended_at = row.appended_text, row.appended_at or kept or timezone.now()
    review.platform_changed_at = row.version_at
    if row.status:
        review.platform_status = row.status


def _fill_blanks(review: Review, row: ReviewIn, orders: dict[str, _OrderRef]) -> None:
    """An older version's values where the stored review has none: a connector that sends only what changed may
    have sent a later version (an appended review) without the text, product or order the first one carries. What
    the stored review says is never overwritten, and nothing versioned (rating, appended text, status) is taken."""
    if row.order and not review.order_ref:
        order = orders.get(row.order)
        review.order_ref = row.order
        review.order_id, review.customer_id = (order.id, order.customer_id) if order else (None, None)
    for name in ("buyer", "product", "sku", "text", "images"):
        if (value := getattr(row, name)) and not getattr(review, name):
            setattr(review, name, value)


_FIELDS = [f for f in Review._meta.concrete_fields if f.attname != "id"]
_FRESH_DEFAULTS = [(f.attname, f.default) for f in _FIELDS if f.has_default() and callable(f.default)]  # list, dict
_STATIC_DEFAULTS = {f.attname: f.get_default() for f in _FIELDS if f.attname not in dict(_FRESH_DEFAULTS)}


def _new_review(**values: Any) -> SimpleNamespace:
    """A review to insert, as its columns: Review.__init__ walks every field and descriptor (~100 µs a row),
    and nothing a new row goes through needs more than its attributes."""
    review = SimpleNamespace(**_STATIC_DEFAULTS, pk=None)
    for name, factory in _FRESH_DEFAULTS:
        setattr(review, name, factory())
    review.__dict__.update(values)
    return review


@transaction.atomic
def reviews_ingest(
    *, store: Store, rows: list[ReviewIn], actor=None, token: ApiToken | None = None
) -> list[dict[str, Any]]:
    """Upsert reviews by (store, external_id). Returns one result per row, in order.

    Posting the same review again changes nothing. A new rating or appended text is recorded as a
    revision (and on the case's timeline); after our contact it counts as "revised after contact". A version older
    than the one stored (is_older_version) changes no version either: its answer is "stale". It is still logged as it
    came, when it is the review as first posted its rating is the original one, and it fills in what the stored
    review lacks (_fill_blanks).
    """
    now, store_id = timezone.now(), store.pk  # store.pk is a property: read once, not three times a row
    existing = _lock_existing(store=store, external_ids={r.external_id for r in rows})
    # A row that leaves its order out keeps the stored one, which triage still reads.
    refs = {r.order or (existing[r.external_id].order_ref if r.external_id in existing else "") for r in rows}
    orders, complaints = orders_and_complaints(store=store, refs=refs - {""})
    assessor = Assessor(store=store, orders=orders, complaints=_earlier_complaints(complaints, existing))
    created: list[SimpleNamespace] = []
    changed: list[Review] = []
    revisions: list[ReviewRevision] = []
    case_news: dict[int, dict[str, Any]] = {}  # review id -> what its case's timeline is told
    outcomes: list[tuple[Review, str]] = []
    # Stored reviews whose draft knew less than this push tells: linked to the order they came before, or given the
    # text an earlier push left out.
    redraft: list[Review] = []
    for row in rows:
        review = existing.get(row.external_id)
        if review is None:
            review = _new_review(
                store_id=store_id, external_id=row.external_id, original_rating=row.rating, created_at=now
            )
            _fill(review, row, orders)
            assessor.apply(review, reclassify=True)
            review.updated_at = now
            created.append(review)
            outcomes.append((review, "created"))
            continue
        snapshot = _state(review)
        if is_older_version(row, review):
            if row.version_at == row.posted_at and review.original_rating != row.rating:
                review.original_rating = row.rating  # the first version, arriving after a later one
            text, order_id = review.text, review.order_id
            _fill_blanks(review, row, orders)
            if _state(review) != snapshot:
                assessor.apply(review, reclassify=review.text != text)
                if review.text != text or review.order_id != order_id:
                    redraft.append(review)  # its draft knew neither the text nor the order
            if _state(review) != snapshot:
                review.updated_at = now
                changed.append(review)
            outcomes.append((review, "stale"))
            continue
        before = {
            name: getattr(review, name) for name in ("rating", "text", "appended_text", "order_ref", "platform_status")
        }
        waiting = review.order_id is None
        _fill(review, row, orders)
        if waiting and review.order_id is not None:
            redraft.append(review)
        revised = review.rating != before["rating"] or review.appended_text != before["appended_text"]
        assessor.apply(
            review, reclassify=review.text != before["text"] or review.appended_text != before["appended_text"]
        )
        if revised:
            after_contact = review.case is not None and case_had_contact(case=review.case)
            revisions.append(
                ReviewRevision(
                    review=review,
                    at=now,
                    old_rating=before["rating"],
                    new_rating=review.rating,
                    appended_text=review.appended_text if review.appended_text != before["appended_text"] else "",
                    after_contact=after_contact,
                )
            )
            review.revised_after_contact = review.revised_after_contact or after_contact
            news = case_news.setdefault(review.pk, {"review_id": review.pk})
            news |= {"from": before["rating"], "to": review.rating, "message": revisions[-1].appended_text}
        if review.platform_status != before["platform_status"]:
            case_news.setdefault(review.pk, {"review_id": review.pk})["review_status"] = review.platform_status
        if _state(review) != snapshot:
            review.updated_at = now
            changed.append(review)
        outcomes.append((review, "updated"))

    events = [(store_id, row.external_id, row.payload) for row in rows if row.payload is not None]
    if events:
        inbound_events_record(kind=InboundEvent.Kind.REVIEW, token=token, received_at=now, events=events)
    _insert(created)
    if changed:
        Review.objects.bulk_update(changed, _UPDATABLE)
    ReviewRevision.objects.bulk_create(revisions)
    # Before the new drafts: replies are locked before the store's recent replies (reply_drafts_redo).
    reply_drafts_redo(store=store, reviews=redraft)
    _draft_replies(store=store, reviews=created)
    for review, _result in outcomes:
        if review.case_id and (news := case_news.get(review.pk)):
            message = news.pop("message", "")
            case_add_event(
                case=review.case, kind=CaseEvent.Kind.REVIEW_CHANGED, actor=actor, message=message, data=news
            )
    return [
        {
            "external_id": review.external_id,
            "id": review.pk,
            "result": result,
            "sentiment": review.sentiment,
            "flagged": review.flagged,
            "triage_group": review.triage_group,
            "causes": review.causes,
            "case": review.case_id,
        }
        for review, result in outcomes
    ]


def _draft_replies(*, store: Store, reviews: list[SimpleNamespace]) -> None:
    if not reviews:
        return
    voice, store_id = voice_for(store=store), store.pk
    taken = recent_fingerprints(store=store)
    # Stamped once the store's lock is held, not when the batch arrived: a batch that waited for another
    # must come after it in the store's reply history, the order "no repeat among the last 500" is read in.
    drafted_at = timezone.now()
    drafts = []
    for review in reviews:
        made = compose_for_review(review=review, voice=voice, taken=taken, seed=f"{store_id}:{review.external_id}")
        if made is not None:
            drafts.append(
                {
                    "review_id": review.pk,
                    "store_id": store_id,
                    "text": made[0],
                    "fingerprint": made[1],
                    "status": ReviewReply.Status.DRAFT,
                    "drafted_at": drafted_at,
                }
            )
    bulk.insert_returning(ReviewReply, drafts)


_REVIEW_COLUMNS = [f.attname for f in _FIELDS]
_review_values = itemgetter(*_REVIEW_COLUMNS)  # a new review's columns from its namespace, in one C call


def _insert(reviews: list[SimpleNamespace]) -> None:
    rows = [dict(zip(_REVIEW_COLUMNS, _review_values(vars(r)), strict=True)) for r in reviews]
    ids = {external_id: pk for pk, external_id in bulk.insert_returning(Review, rows)}
    for review in reviews:
        review.pk = review.id = ids[review.external_id]
