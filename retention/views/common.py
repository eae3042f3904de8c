"""What every retention page shares: the store the manager may see (404 otherwise) and domain errors on forms."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from crm.errors import DomainError
from crm.models import Store

from ..selectors import stores_for_retention


def managed_store(request: HttpRequest, store_id: int) -> Store:
    return get_object_or_404(stores_for_retention(user=request.user), pk=store_id)


def form_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (its first part: `rules.0.value` -> `rules`), above the form
    when that field is hidden (a form's one-time token) and so has no place of its own."""
    name = (exc.field or "").split(".")[0]
    shown = name in form.fields and not form.fields[name].widget.is_hidden
    form.add_error(name if shown else None, exc.message)
