"""Every write of the letters app: the rule, templates and inserts a manager saves, the day's letters, printing."""

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Agent, Order, Store
from crm.platform_rules import ensure_no_review_incentive
from crm.services.audit import audit_record

from .composing import StoreWriters, Written, template_check, writer_for
from .errors import LetterRuleInvalid, ParcelInsertInvalid
from .models import InsertKind, Letter, LetterInsert, LetterRule, LetterTemplate, ParcelInsert, PrintBatch
from .segments import segment_choices
from .selection import facts_for, inserts_for, orders_awaiting_letters, rule_decide, rule_for

RULE_FIELDS = (
    "enabled", "min_amount", "first_purchase_only", "segment", "control_percent", "language", "handwriting",
    "signing_agent",
)  # fmt: skip
TEMPLATE_FIELDS = ("name", "language", *LetterTemplate.CONDITIONS, *LetterTemplate.PARTS, "active")
INSERT_FIELDS = ("kind", "title", "body", "offer_code", "category", "min_amount", "first_purchase_only", "active")

# One parcel, one sheet: a reprint asked again this soon is the same one asked twice (letter_reprint).
REPRINT_REPEAT = timedelta(seconds=10)

# The letter is signed with the agent's whole name; the row keeps what its column holds (a full name may run to 301).
SIGNED_BY_LENGTH = Letter._meta.get_field("signed_by").max_length


def agent_name(agent: Agent | None) -> str:
    return str(agent) if agent is not None else ""


@transaction.atomic
def letter_rule_update(*, store: Store, actor, changes: dict[str, Any]) -> LetterRule:
    """Change which orders get a letter (validated whole, audited); letters already written keep their text."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise LetterRuleInvalid(field=sorted(unknown)[0])
    rule = LetterRule.objects.select_for_update().filter(store=store).first() or rule_for(store=store)
    for name, value in changes.items():
        setattr(rule, name, value)
    if rule.min_amount is not None and rule.min_amount < 0:
        raise LetterRuleInvalid(_("The threshold cannot be negative."), field="min_amount")
    if not 0 <= rule.control_percent <= 50:
        raise LetterRuleInvalid(_("Hold back between 0 and 50 percent."), field="control_percent")
    if rule.segment and rule.segment not in dict(segment_choices(store=store)):
        raise LetterRuleInvalid(_("Choose one of the store's segments."), field="segment")
    if rule.signing_agent is not None and not rule.signing_agent.stores.filter(pk=store.pk).exists():
        raise LetterRuleInvalid(_("The signing agent must serve this store."), field="signing_agent")
    rule.save()
    audit_record(
        actor=actor, action="letter_rule_changed", store=store, target=store.code,
        data={name: str(value) for name, value in changes.items()},
    )  # fmt: skip
    return rule


@transaction.atomic
def letter_template_save(
    *, store: Store, actor, data: dict[str, Any], template: LetterTemplate | None = None
) -> LetterTemplate:
    """Create or change a letter template. Refused, naming the part: an unknown or unfillable placeholder, an
    empty part, a reward offered for a review (crm.platform_rules)."""
    if template is not None and template.store_id != store.pk:
        raise LetterRuleInvalid(field="template")
    rule = rule_for(store=store)
    template_check(
        parts={name: data.get(name, "") for name in LetterTemplate.PARTS},
        store=store,
        signing_agent_name=agent_name(rule.signing_agent),
    )
    low, high = data.get("min_amount"), data.get("max_amount")
    if low is not None and high is not None and high <= low:
        raise LetterRuleInvalid(_("The upper bound must be above the lower one."), field="max_amount")
    template = template or LetterTemplate(store=store)
    for name in TEMPLATE_FIELDS:
        if name in data:
            setattr(template, name, data[name])
    template.save()
    audit_record(actor=actor, action="letter_template_saved", store=store, target=template.name)
    return template


@transaction.atomic
def parcel_insert_save(
    *, store: Store, actor, data: dict[str, Any], insert: ParcelInsert | None = None
) -> ParcelInsert:
    if insert is not None and insert.store_id != store.pk:
        raise ParcelInsertInvalid(field="insert")
    if data.get("kind") == InsertKind.OFFER and not (data.get("offer_code") or "").strip():
        raise ParcelInsertInvalid(_("An offer card needs the code the customer enters."), field="offer_code")
    ensure_no_review_incentive(data.get("title", ""), field="title")
    ensure_no_review_incentive(data.get("body", ""), field="body")
    insert = insert or ParcelInsert(store=store)
    for name in INSERT_FIELDS:
        if name in data:
            setattr(insert, name, data[name])
    insert.save()
    audit_record(actor=actor, action="parcel_insert_saved", store=store, target=insert.title)
    return insert


def letter_seed(*, store_id: int, external_id: str) -> str:
    """The seed of an order's wording: the same order, the same letter."""
    return f"letter:{store_id}:{external_id}"


@transaction.atomic
def letters_prepare(*, store: Store, now: datetime | None = None) -> PrintBatch | None:
    """Write the letters of the store's paid, unshipped orders that have none yet, into today's open batch.

    Each order is decided once (a letter, held back, or nothing, which is not recorded so a later change of
    the rule can still choose it). Letters of one store-local day never repeat each other word for word.
    Returns the open batch (None when no order got a letter and none is open).
    """
    now = now or timezone.now()
    # One writer per store at a time: two runs would otherwise each pick the same wording.
    Store.objects.select_for_update().filter(pk=store.pk).values_list("pk", flat=True).get()
    # What a customer's language changed around the services (no signal) is caught up here (ADR 0052).
    letters_follow_customer_language(letters=Letter.objects.filter(store=store))
    day = timezone.localtime(now, store.tzinfo).date()
    rule = rule_for(store=store)
    orders = orders_awaiting_letters(store=store)
    facts = facts_for(store=store, orders=orders, day=day)
    decisions = rule_decide(
        rule=rule, store=store, facts=facts.values(), customers={o.pk: o.customer_id for o in orders}
    )
    chosen = [o for o in orders if decisions[o.pk].letter or decisions[o.pk].held_back]
    # Locked: a "Mark printed" committing meanwhile closes it first, and these letters go to a new batch instead of
    # into one already printed.
    batch = PrintBatch.objects.select_for_update().filter(store=store, day=day, printed_at__isnull=True).first()
    if not chosen:
        return batch
    if batch is None and any(decisions[o.pk].letter for o in chosen):
        batch = _open_batch(store=store, day=day, now=now, handwriting=rule.handwriting)
    signer = agent_name(rule.signing_agent)
    writers = StoreWriters(store=store, rule_language=rule.language, agent_name=signer)
    taken = _fingerprints_of_day(store=store, day=day)
    cards = list(ParcelInsert.objects.filter(store=store, active=True))
    letters, enclosed = [], []
    for order in chosen:
        fact = facts[order.pk]
        if decisions[order.pk].held_back:
            language = writers.language_for(order.customer, fact)  # the one its letter would have been in
            letters.append(_held_back(store=store, order=order, day=day, now=now, language=language))
            continue
        seed = letter_seed(store_id=store.pk, external_id=order.external_id)
        written = writers.write(fact, customer=order.customer, seed=seed, taken=taken)
        letters.append(_letter(store, order, day, now, written, batch, signer))
        enclosed.append(inserts_for(inserts=cards, facts=fact))
    Letter.objects.bulk_create(letters)
    sent = [letter for letter in letters if letter.status == Letter.Status.LETTER]
    LetterInsert.objects.bulk_create(
        LetterInsert(
            letter=letter, insert=card, kind=card.kind, title=card.title, body=card.body, offer_code=card.offer_code
        )
        for letter, cards_of_letter in zip(sent, enclosed, strict=True)
        for card in cards_of_letter
    )
    return batch


# A letter still to be printed: in a batch not marked printed, and never reprinted (a reprint is on paper).
UNPRINTED = Q(status=Letter.Status.LETTER, batch__isnull=False, batch__printed_at__isnull=True, reprint_count=0)


@transaction.atomic
def letters_follow_customer_language(*, letters: QuerySet[Letter]) -> int:
    """Bring those of `letters` not yet printed whose customer's language changed since they were written into the
    language their letter is in now (ADR 0052); returns how many were written again. Safe to run again: a letter is
    compared with the language it was written for (`customer_language`).

    A letter whose language stays (the customer now names the language it is already in, or their new one has no
    wording the store can write for the order, so it stays in the rule's) only records the customer's language. One
    in another language is written anew, a new row (a new id) in the same batch, for the same day, with the same
    cards: a batch page that listed the old one neither prints it nor marks it printed (its "Mark printed" moves the
    new one to a new batch, as a letter prepared after the page was shown). The batches are locked, then the letters
    (after the customer, which the caller may hold: ADR 0037), as `letters_prepare` and `batch_mark_printed` lock the
    batch first."""
    stale = letters.filter(UNPRINTED).exclude(customer_language=F("customer__language"))
    found = dict(stale.values_list("pk", "batch_id"))
    if not found:
        return 0
    list(PrintBatch.objects.select_for_update().filter(pk__in=set(found.values())).order_by("pk").values_list("pk"))
    locked = list(
        Letter.objects.select_for_update(of=("self",))
        .filter(UNPRINTED, pk__in=found)  # printed or reprinted meanwhile: it stays
        .exclude(customer_language=F("customer__language"))
        .select_related("store", "customer", "order__customer")
        .prefetch_related("inserts")
        .order_by("pk")
    )
    rewritten = 0
    for store_letters in _by_store(locked):
        rewritten += _rewrite(store_letters)
    return rewritten


def _by_store(letters: list[Letter]) -> list[list[Letter]]:
    grouped: dict[int, list[Letter]] = {}
    for letter in letters:
        grouped.setdefault(letter.store_id, []).append(letter)
    return list(grouped.values())


def _rewrite(letters: list[Letter]) -> int:
    """One store's letters, in the language their customers' letters are in now (letters_follow_customer_language)."""
    store = letters[0].store
    rule = rule_for(store=store)
    signer = agent_name(rule.signing_agent)
    writers = StoreWriters(store=store, rule_language=rule.language, agent_name=signer)
    days = {letter.day for letter in letters}
    taken = {day: _fingerprints_of_day(store=store, day=day) for day in days}
    facts = {  # an age band is the customer's age on the letter's day
        order_id: fact
        for day in days
        for order_id, fact in facts_for(store=store, orders=[x.order for x in letters if x.day == day], day=day).items()
    }
    kept, gone, new, cards = [], [], [], []
    for letter in letters:
        customer, fact = letter.customer, facts[letter.order_id]  # the customer it was written to
        letter.customer_language = customer.language
        language = writers.language_for(customer, fact)
        if language == letter.language:
            kept.append(letter)
            continue
        taken[letter.day].discard(letter.fingerprint)  # its wording is free: the letter it was in goes
        seed = letter_seed(store_id=store.pk, external_id=letter.order.external_id)
        written = writers.write(fact, customer=customer, seed=seed, taken=taken[letter.day])
        gone.append(letter.pk)
        new.append(_letter(store, letter.order, letter.day, letter.created_at, written, letter.batch_id, signer))
        cards.append(list(letter.inserts.all()))
    Letter.objects.bulk_update(kept, ["customer_language"])
    Letter.objects.filter(pk__in=gone).delete()
    Letter.objects.bulk_create(new)
    LetterInsert.objects.bulk_create(
        LetterInsert(
            letter=letter, insert_id=card.insert_id, kind=card.kind, title=card.title, body=card.body,
            offer_code=card.offer_code,
        )
        for letter, cards_of_letter in zip(new, cards, strict=True)
        for card in cards_of_letter
    )  # fmt: skip
    return len(new)


def _fingerprints_of_day(*, store: Store, day) -> set[str]:
    """The wordings the store's letters of `day` already have: no other letter of the day may repeat one."""
    return set(
        Letter.objects.filter(store=store, day=day).exclude(fingerprint="").values_list("fingerprint", flat=True)
    )


def _held_back(*, store: Store, order: Order, day, now: datetime, language: str) -> Letter:
    return Letter(
        store=store, order=order, customer_id=order.customer_id, status=Letter.Status.HELD_BACK, day=day,
        language=language, customer_language=order.customer.language, created_at=now,
    )  # fmt: skip


def _letter(store, order, day, now, written: Written, batch: PrintBatch | int, signer) -> Letter:
    batch_id = batch if isinstance(batch, int) else batch.pk
    return Letter(
        store=store, order=order, customer_id=order.customer_id, status=Letter.Status.LETTER, day=day,
        batch_id=batch_id, template=written.template, variant=written.variant, language=written.language,
        customer_language=order.customer.language, text=written.text, fingerprint=written.fingerprint,
        signed_by=signer[:SIGNED_BY_LENGTH], created_at=now,
    )  # fmt: skip


def _open_batch(*, store: Store, day, now: datetime, handwriting: bool) -> PrintBatch:
    """The store's open batch of the day, made now; or the one a concurrent "Mark printed" opened for the letters it
    left out, should it have committed meanwhile (one open batch per store and day)."""
    try:
        with transaction.atomic():
            return PrintBatch.objects.create(store=store, day=day, created_at=now, handwriting=handwriting)
    except IntegrityError:
        return PrintBatch.objects.select_for_update().get(store=store, day=day, printed_at__isnull=True)


class BatchMarked(NamedTuple):
    batch: PrintBatch
    moved: int  # letters prepared after the page was shown, moved to a new open batch
    already: bool  # marked printed before (by a colleague, or a second click): nothing changed


@transaction.atomic
def batch_mark_printed(*, batch: PrintBatch, actor, upto: int | None = None) -> BatchMarked:
    """Mark the batch printed (once; a second mark changes nothing and says so). Later letters of the day start a
    new batch.

    `upto` is the last letter the page that printed it listed (selectors.batch_letters): letters added to the batch
    since (a colleague prepared the day's letters again) were in no PDF, and move to a new open batch rather than
    be closed unprinted."""
    batch = PrintBatch.objects.select_for_update().select_related("store").get(pk=batch.pk)
    if batch.printed_at is not None:
        return BatchMarked(batch, 0, already=True)
    batch.printed_at, batch.printed_by = timezone.now(), actor
    batch.save(update_fields=["printed_at", "printed_by"])
    moved = 0
    if upto is not None and (later := list(batch.letters.filter(pk__gt=upto).values_list("pk", flat=True))):
        rest = _open_batch(store=batch.store, day=batch.day, now=batch.printed_at, handwriting=batch.handwriting)
        moved = Letter.objects.filter(pk__in=later).update(batch=rest)
    audit_record(
        actor=actor, action="letter_batch_printed", store=batch.store, target=str(batch.pk),
        data={"letters": batch.letters.count()},
    )  # fmt: skip
    return BatchMarked(batch, moved, already=False)


@transaction.atomic
def letter_reprint(*, letter: Letter, actor) -> Letter:
    """Count a reprint of one letter (its text is the one first printed) and audit it.

    A reprint asked within REPRINT_REPEAT of the last one is that one again (a double click on the button, or a
    second click while the PDF is being made, both POSTs at once): it is counted and audited once, and the caller
    answers each with the PDF. The letter's row lock orders the two, so the second sees the first's time."""
    letter = Letter.objects.select_for_update().select_related("store").get(pk=letter.pk)
    now = timezone.now()
    if letter.reprinted_at is not None and now - letter.reprinted_at < REPRINT_REPEAT:
        return letter
    letter.reprint_count += 1
    letter.reprinted_at = now
    letter.save(update_fields=["reprint_count", "reprinted_at"])
    audit_record(actor=actor, action="letter_reprinted", store=letter.store, target=str(letter.order_id))
    return letter


def letter_preview(*, store: Store, order: Order, data: dict[str, Any] | None) -> Written:
    """The letter the order would get with these template texts, in their language (or from the store's templates when
    None, in the language its letter would be in); saves nothing."""
    rule = rule_for(store=store)
    signer = agent_name(rule.signing_agent)
    fact = facts_for(store=store, orders=[order], day=timezone.localtime(timezone.now(), store.tzinfo).date())[order.pk]
    seed = letter_seed(store_id=store.pk, external_id=order.external_id)
    if data is None:
        writers = StoreWriters(store=store, rule_language=rule.language, agent_name=signer)
        return writers.write(fact, customer=order.customer, seed=seed, taken=set())
    template_check(
        parts={name: data.get(name, "") for name in LetterTemplate.PARTS}, store=store, signing_agent_name=signer
    )
    writer = writer_for(store=store, language=data.get("language") or rule.language, agent_name=signer)
    draft = LetterTemplate(store=store, **{name: data[name] for name in TEMPLATE_FIELDS if name in data})
    # The draft is shown for this order even when its conditions would not choose it.
    return writer.write(fact, seed=seed, taken=set(), template=draft)
