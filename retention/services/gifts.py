"""Gifts: whom a gift suits, and a gift task that refuses an unsuitable gift saying why."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.birthdays import age_on
from crm.errors import InvalidInput
from crm.models import Customer, CustomerChange, Store
from crm.selectors import agents_serving
from crm.services.audit import audit_record
from crm.services.locks import customers_lock

from ..errors import GiftCustomerDoNotContact, GiftTaskClosed, GiftUnsuitable
from ..models import Gift, GiftTask, Segment
from ..selectors import segment_members

# The row a gift sent writes into its customer's change history (crm shows it by gift_sent_text, apps.py).
GIFT_SENT = "gift_sent"


def gift_assignee(*, store: Store, customer: Customer) -> int | None:
    """The customer's dedicated owner while they serve the store, else the store's agent with the fewest open gift
    tasks; only people still serving it (an agent who left keeps their stores, with their login switched off)."""
    agents = list(agents_serving(store=store).order_by("pk").values_list("pk", flat=True))
    if customer.dedicated_owner_id in agents:
        return customer.dedicated_owner_id
    if not agents:
        return None
    load = {a: 0 for a in agents}
    for assignee in GiftTask.objects.filter(
        store=store, status=GiftTask.Status.OPEN, assignee_id__in=agents
    ).values_list("assignee_id", flat=True):
        load[assignee] += 1
    return min(agents, key=lambda a: (load[a], a))


@transaction.atomic
def gift_tasks_hand_over(*, agent_id: int, store_ids: list[int]) -> list[GiftTask]:
    """An agent no longer serves these stores (crm.signals.agent_left_stores): their open gift tasks there go to whom
    a new task would (`gift_assignee`: the customer's owner while they serve the store, else the least loaded of those
    serving it), or to nobody, for the manager's gift page, when nobody is left. Sent tasks stay theirs. Audited.
    Runs after callbacks' receiver, so a customer whose owner left is given to the owner callbacks chose for them."""
    tasks = list(
        GiftTask.objects.select_for_update(of=("self",))
        .filter(assignee_id=agent_id, store_id__in=store_ids, status=GiftTask.Status.OPEN)
        .select_related("store", "customer")
        .order_by("occasion_date", "id")
    )
    for task in tasks:
        # One at a time: gift_assignee counts the open tasks as they stand, the ones handed on so far included.
        task.assignee_id = gift_assignee(store=task.store, customer=task.customer)
        task.save(update_fields=["assignee"])
        audit_record(
            actor=None,
            action="gift_task.reassigned",
            store=task.store,
            target=f"gift_task:{task.pk}",
            data={"from_agent_id": agent_id, "to_agent_id": task.assignee_id, "why": "assignee_left_store"},
        )
    return tasks


def gift_unsuitable_reasons(*, gift: Gift, customer: Customer, occasion: date) -> list[str]:
    """Why the gift does not suit the customer on file (empty: it suits). The age band is held against the age the
    customer turns on the birthday the gift is for (`occasion`), not their age today: a customer turning 18 next
    week gets an 18+ gift, one turning 60 no longer the gift for up to 59."""
    reasons = []
    if gift.store_id != customer.store_id or not gift.active:
        reasons.append(_("The gift is not on the store's active gift list."))
    if gift.genders and customer.gender not in gift.genders:
        labels = ", ".join(str(Customer.Gender(g).label) for g in gift.genders if g in Customer.Gender.values)
        reasons.append(
            _("It suits %(genders)s; the customer on file is %(gender)s.")
            % {"genders": labels, "gender": Customer.Gender(customer.gender).label}
        )
    if gift.age_min is not None or gift.age_max is not None:
        age = age_on(customer.birthday, occasion)
        band = f"{gift.age_min if gift.age_min is not None else ''}–{gift.age_max if gift.age_max is not None else ''}"
        if age is None:
            reasons.append(_("It suits ages %(band)s; the customer's age is not on file.") % {"band": band})
        elif (gift.age_min is not None and age < gift.age_min) or (gift.age_max is not None and age > gift.age_max):
            reasons.append(
                _("It suits ages %(band)s; the customer turns %(age)s on the birthday it is for.")
                % {"band": band, "age": age}
            )
    segments = list(gift.segments.all())
    if segments and not any(segment_members(segment=s).filter(customer_id=customer.pk).exists() for s in segments):
        reasons.append(
            _("It suits the segments %(names)s; the customer is in none of them.")
            % {"names": ", ".join(f"“{s.label}”" for s in segments)}
        )
    return reasons


@transaction.atomic
def gift_create(
    *,
    store: Store,
    name: str,
    description: str = "",
    genders: list[str] | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    segments: list[Segment] | None = None,
) -> Gift:
    if not name.strip():
        raise InvalidInput(_("Give the gift a name."), field="name")
    genders = genders or []
    if any(g not in Customer.Gender.values for g in genders):
        raise InvalidInput(_("Choose genders from the list."), field="genders")
    if age_min is not None and age_max is not None and age_max < age_min:
        raise InvalidInput(_("The age band must end after it starts."), field="age_max")
    if any(s.store_id != store.pk for s in segments or []):
        raise InvalidInput(_("Choose the store's own segments."), field="segments")
    gift = Gift.objects.create(
        store=store, name=name.strip(), description=description, genders=genders, age_min=age_min, age_max=age_max
    )
    gift.segments.set(segments or [])
    return gift


@transaction.atomic
def gift_tasks_cancel_unwanted(*, customer: Customer) -> list[GiftTask]:
    """The customer now asks not to be contacted (crm.signals.customer_profile_changed, in the profile change's
    transaction, with the customer locked): their open gift tasks are cancelled, as planning would not have opened them
    (`gift_tasks_plan`), and leave the agents' lists. Audited. Returns them."""
    if customer.contact_preference != Customer.ContactPreference.DO_NOT_CONTACT:
        return []
    tasks = list(
        GiftTask.objects.select_for_update()
        .filter(customer=customer, status=GiftTask.Status.OPEN)
        .select_related("store")
        .order_by("pk")
    )
    GiftTask.objects.filter(pk__in=[task.pk for task in tasks]).update(status=GiftTask.Status.CANCELLED)
    for task in tasks:
        audit_record(
            actor=None,
            action="gift_task.cancelled",
            store=task.store,
            target=f"gift_task:{task.pk}",
            data={"customer_id": customer.pk, "why": Customer.ContactPreference.DO_NOT_CONTACT.value},
        )
    return tasks


@transaction.atomic
def gift_task_send(*, task: GiftTask, gift: Gift, actor, note: str = "") -> GiftTask:
    """Record the gift as sent, refusing (GiftUnsuitable, with every reason) one that does not suit the
    customer on file, and any gift to a customer who now asks not to be contacted. The gift goes on the customer's
    archive (its change history)."""
    # The customer before the task (ADR 0037): a profile change holds the customer, then cancels their tasks.
    customers_lock([task.customer_id])
    task = GiftTask.objects.select_for_update(of=("self",)).select_related("customer__store").get(pk=task.pk)
    if task.customer.contact_preference == Customer.ContactPreference.DO_NOT_CONTACT:
        raise GiftCustomerDoNotContact()
    if task.status != GiftTask.Status.OPEN:
        raise GiftTaskClosed()
    reasons = gift_unsuitable_reasons(gift=gift, customer=task.customer, occasion=task.occasion_date)
    if reasons:
        raise GiftUnsuitable(" ".join(reasons), field="gift", reasons=reasons)
    now = timezone.now()
    task.gift, task.status, task.sent_at, task.note = gift, GiftTask.Status.SENT, now, note
    task.save(update_fields=["gift", "status", "sent_at", "note"])
    CustomerChange.objects.create(
        customer=task.customer,
        field=GIFT_SENT,
        old_value=None,
        new_value={"gift": gift.name, "occasion": task.occasion_date.isoformat(), "task": task.pk},
        changed_by=actor,
        changed_at=now,
    )
    return task


def gift_sent_text(value: Any) -> str:
    """A gift sent as the customer's history holds it, in words: "真丝方巾（2026-02-14）"."""
    if not isinstance(value, dict):
        return str(value)
    return _("%(gift)s (%(occasion)s)") % {"gift": value.get("gift", ""), "occasion": value.get("occasion", "")}
