"""More of everything a store holds, copied from what is there: for tests that a page costs the same number of
queries with a few rows or with many.

`grow(keep=...)` copies every row of the store-held models once. A foreign key to a row copied in the same pass
points at its copy; a key to a model in `keep` (or to one not copied, such as stores and agents) stays as it was,
so with `keep={Case}` every case gets twice its events, remedies and calls, and with `keep={Customer}` every
customer twice their orders, cases and reviews. Text that must be unique gets a suffix; a copy that breaks another
rule (one open call per case, one built-in segment per store) is left out."""

from django.apps import apps
from django.db import IntegrityError, models, transaction

# In the order a copy's keys must already exist.
COPIED = [
    "crm.Customer",
    "crm.CustomerChange",
    "crm.Order",
    "crm.AuditLog",
    "crm.Case",
    "crm.CaseEvent",
    "crm.CaseStep",
    "crm.CaseEvidence",
    "crm.Remedy",
    "callbacks.FollowUp",
    "callbacks.CaseCall",
    "callbacks.CallAttempt",
    "callbacks.Call",
    "callbacks.ContactLog",
    "reviews.Review",
    "reviews.ReviewRevision",
    "reviews.CauseCorrection",
    "reviews.PlatformComplaint",
    "reviews.ReviewReply",
    "reviews.KeywordMonitor",
    "reviews.ReplyTemplate",
    "logistics.Shipment",
    "logistics.Checkpoint",
    "logistics.ShipmentDelay",
    "logistics.ShipmentNotice",
    "retention.Segment",
    "retention.Campaign",
    "retention.CampaignContact",
    "retention.Coupon",
    "retention.Gift",
    "retention.GiftTask",
    "retention.CustomerAttributes",
    "letters.LetterTemplate",
    "letters.ParcelInsert",
    "letters.PrintBatch",
    "letters.Letter",
    "letters.LetterInsert",
]
# Keys, not text: a suffixed copy would name no built-in segment or system campaign.
KEYS = {("retention.Segment", "builtin"), ("retention.Campaign", "system_key")}


def _unique_text_fields(model) -> set[str]:
    names = {f.name for f in model._meta.fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    return {
        name
        for name in names
        if isinstance(field := model._meta.get_field(name), models.CharField)
        and not field.choices
        and (model._meta.label, name) not in KEYS
    }


def grow(*, keep: set[str] = frozenset(), round_: int = 1) -> dict[str, int]:
    """Copy each row once (see the module's docstring); returns how many rows of each model were copied."""
    copies: dict[str, dict[int, int]] = {}
    made = {}
    for label in COPIED:
        if label in keep:
            continue
        model = apps.get_model(label)
        texts = _unique_text_fields(model)
        fields = [f for f in model._meta.concrete_fields if f.is_relation]
        copies[label] = {}
        for obj in list(model._base_manager.all().order_by("pk")):
            old_pk = obj.pk
            for field in fields:
                target = copies.get(field.related_model._meta.label)
                value = getattr(obj, field.attname)
                if target is not None and value is not None:
                    if value not in target:
                        break  # its parent was not copied: neither is it
                    setattr(obj, field.attname, target[value])
            else:
                for name in texts:
                    value = getattr(obj, name)
                    if value:
                        setattr(obj, name, f"{value}-{round_}")
                obj.pk = None
                obj._state.adding = True
                try:
                    with transaction.atomic():
                        obj.save_base(raw=True, force_insert=True)
                except IntegrityError:
                    continue
                copies[label][old_pk] = obj.pk
        made[label] = len(copies[label])
    return made
