"""Managers' review settings: keyword monitors, the triage policy, reply templates. Audited.

The remedy playbook the same page edits is crm's (crm.services.playbook).
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import Conflict, InvalidInput
from crm.models import Store
from crm.services.audit import audit_record

from ..models import CAUSE_VALUES, KeywordMonitor, ReplyTemplate, ReviewPolicy, Sentiment
from ..replies import placeholder_problem


@transaction.atomic
def monitor_add(*, store: Store, phrase: str, actor) -> KeywordMonitor:
    phrase = " ".join(phrase.split())
    if not phrase:
        raise InvalidInput(_("Enter a word or phrase."), field="phrase")
    if len(phrase) > 50:
        raise InvalidInput(_("At most 50 characters."), field="phrase")
    if KeywordMonitor.objects.filter(store=store, phrase__iexact=phrase).exists():
        raise Conflict(_("This store already watches for that phrase."), field="phrase")
    monitor = KeywordMonitor.objects.create(store=store, phrase=phrase, created_by=actor)
    audit_record(actor=actor, action="keyword_monitor_add", store=store, target=phrase)
    return monitor


@transaction.atomic
def monitor_remove(*, monitor: KeywordMonitor, actor) -> None:
    audit_record(actor=actor, action="keyword_monitor_remove", store=monitor.store, target=monitor.phrase)
    monitor.delete()


@transaction.atomic
def review_policy_update(
    *,
    store: Store,
    actor,
    main_skus: list[str],
    competitor_markers: list[str],
    high_value_amount: Decimal,
    many_likes: int,
    many_images: int,
    repeat_complaints: int,
) -> ReviewPolicy:
    if high_value_amount < 0:
        raise InvalidInput(_("The high-value threshold cannot be negative."), field="high_value_amount")
    if many_images < 1 or repeat_complaints < 1:
        raise InvalidInput(_("Counts start at 1."), field="many_images" if many_images < 1 else "repeat_complaints")
    policy, _created = ReviewPolicy.objects.update_or_create(
        store=store,
        defaults={
            "main_skus": sorted(set(main_skus)),
            "competitor_markers": sorted(set(competitor_markers)),
            "high_value_amount": high_value_amount,
            "many_likes": many_likes,
            "many_images": many_images,
            "repeat_complaints": repeat_complaints,
        },
    )
    audit_record(
        actor=actor,
        action="review_policy_update",
        store=store,
        target=store.code,
        data={"main_skus": policy.main_skus, "high_value_amount": str(high_value_amount)},
    )
    return policy


REPLY_TEMPLATE_MAX_LENGTH = 300


@transaction.atomic
def reply_template_save(
    *, store: Store, actor, part: str, sentiment: str, cause: str, text: str, template: ReplyTemplate | None = None
) -> ReplyTemplate:
    """Add a piece of the store's reply voice, or change `template` (one of the store's)."""
    text = text.strip()
    if not text:
        raise InvalidInput(
            _("Enter the template's text: an empty template would leave a gap in the reply."), field="text"
        )
    if len(text) > REPLY_TEMPLATE_MAX_LENGTH:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": REPLY_TEMPLATE_MAX_LENGTH}, field="text")
    if problem := placeholder_problem(text):
        raise InvalidInput(problem, field="text")
    if part not in ReplyTemplate.Part.values:
        raise InvalidInput(f"Unknown part {part!r}.", field="part")
    if sentiment and sentiment not in Sentiment.values:
        raise InvalidInput(f"Unknown sentiment {sentiment!r}.", field="sentiment")
    if cause and cause not in CAUSE_VALUES:
        raise InvalidInput(f"Unknown cause {cause!r}.", field="cause")
    if template is not None and template.store_id != store.pk:
        raise InvalidInput(_("The template belongs to another store."), field="template")
    same = ReplyTemplate.objects.filter(store=store, part=part, sentiment=sentiment, cause=cause, text=text)
    if same.exclude(pk=template.pk if template else None).exists():
        raise Conflict(_("The store already has this text for the same part, sentiment and cause."), field="text")
    before = template.text if template else None
    template = template or ReplyTemplate(store=store)
    template.part, template.sentiment, template.cause, template.text = part, sentiment, cause, text
    template.save()
    audit_record(
        actor=actor,
        action="reply_template_save",
        store=store,
        target=str(template),
        data={"id": template.pk, "text": text, "before": before},
    )
    return template


@transaction.atomic
def reply_template_remove(*, template: ReplyTemplate, actor) -> None:
    audit_record(
        actor=actor,
        action="reply_template_remove",
        store=template.store,
        target=str(template),
        data={"id": template.pk, "text": template.text},
    )
    template.delete()
