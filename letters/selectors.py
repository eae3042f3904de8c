"""Read queries of the letters pages and of other apps (the customer's archive, the manager's report)."""

from django.db.models import Prefetch, QuerySet

from crm.models import Store
from crm.selectors import stores_for_user, stores_managed_by

from .models import Letter, LetterInsert, LetterTemplate, ParcelInsert, PrintBatch
from .selection import packing_key


def letter_stores_for(*, user) -> QuerySet[Store]:
    """Stores whose batches the user may print: agents and managers of the store (crm.roles)."""
    return stores_for_user(user=user)


def letter_settings_stores_for(*, user) -> QuerySet[Store]:
    """Stores whose rule, templates and inserts the user may change: the store's managers."""
    return stores_managed_by(user=user)


def _with_inserts(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    return letters.select_related("order", "customer", "batch").prefetch_related(
        Prefetch("inserts", queryset=LetterInsert.objects.order_by("id"))
    )


def letters_for_customer(*, customer_id: int) -> QuerySet[Letter]:
    """Every letter (with its inserts) a customer was sent, newest first: the customer's archive shows it.
    Control-group orders are left out: nothing was sent."""
    return _with_inserts(Letter.objects.filter(customer_id=customer_id, status=Letter.Status.LETTER)).order_by(
        "-created_at", "-id"
    )


def letter_for_order(*, order_id: int) -> Letter | None:
    return _with_inserts(Letter.objects.filter(order_id=order_id)).first()


def batch_letters(*, batch: PrintBatch, upto: int | None = None) -> list[Letter]:
    """The batch's letters in packing-list order (by order number); with `upto`, those the batch held when a page
    listed it (ids up to `upto`), so the PDF printed from that page is what its "Mark printed" closes."""
    letters = batch.letters.filter(status=Letter.Status.LETTER)
    if upto is not None:
        letters = letters.filter(pk__lte=upto)
    letters = _with_inserts(letters)
    return sorted(letters, key=lambda letter: packing_key(letter.order.external_id))


def batches_of_store(*, store: Store, limit: int = 14) -> QuerySet[PrintBatch]:
    return PrintBatch.objects.filter(store=store).select_related("printed_by").order_by("-day", "-id")[:limit]


def templates_of_store(*, store: Store) -> QuerySet[LetterTemplate]:
    return LetterTemplate.objects.filter(store=store).order_by("language", "name")


def inserts_of_store(*, store: Store) -> QuerySet[ParcelInsert]:
    return ParcelInsert.objects.filter(store=store).order_by("kind", "title")
