"""The one path from a domain error to what a page shows (the API's counterpart is crm.api.errors).

- A page's write goes through ``page_attempt``: an invalid form or a domain error becomes a message on the page the
  view returns to (or, for a view that renders it in place, the text and status it answers with: ``Attempt``), and
  with ``form`` the error also sits next to the field it names (``form_error``). What the write returned comes back
  in the ``Attempt`` too. A view that renders its form again in place shows a service's refusal with ``form_refused``,
  which answers with the refusal's own status.
- A refusal (a domain error whose status is 403, or Django's PermissionDenied) is never a message: it propagates
  to the designed 403 page.
- Whatever a view leaves uncaught reaches ``crm.middleware.DomainErrorPageMiddleware``: the 403 page for a refusal,
  otherwise the error page (an HTMX request gets a fragment), with the error's own status.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from crm.errors import DomainError, StoreRepeated
from crm.models import Store
from crm.punctuation import itemised, labelled
from crm.selectors import store_by_code
from crm.validators import is_ascii_number

# Far past any list's end (an empty page), and small enough that the page's OFFSET fits PostgreSQL's bigint.
MAX_PAGE = 1_000_000


def page_number(value: str | None) -> int:
    """A list's ?page=: ASCII digits, at least 1 and at most MAX_PAGE; anything else is the first page."""
    if not (value and is_ascii_number(value)):
        return 1
    return min(max(int(value), 1), MAX_PAGE)


def one_store_code(params: QueryDict) -> str | None:
    """The store code a query string or a form body names, or None. QueryDict.get() answers for the last of
    several values, so a second one is refused (StoreRepeated, 400, field "store") rather than acted on."""
    values = params.getlist("store")
    if len(values) > 1:
        raise StoreRepeated()
    return values[0] if values else None


def store_code(request: HttpRequest) -> str | None:
    """The store a page's request names: its form's `store` field on a POST, else its `?store=`; every page view
    that takes the store from a form reads it here. crm.middleware.OneStoreMiddleware refuses a repeated
    `?store=` for every request, but reads no body; a body is read here, by the view that wants it. A form that
    names another store than its address is refused too: which one was meant is anyone's guess."""
    posted = one_store_code(request.POST) if request.method == "POST" else None
    asked = one_store_code(request.GET)
    if posted and asked and posted != asked:
        raise StoreRepeated()
    return posted or asked


def store_filter(stores: QuerySet[Store] | list[Store], code: str | None) -> Store | None:
    """A list page's `?store=` filter, the one every list page reads its store through: None (every store of the
    user's, "All my stores") when it names none (absent or empty), else the store of `stores` it names by its code,
    or a 404: a store outside the user's, or a value that names no store at all, is not found, as on every page that
    takes one, not silently all of theirs. `stores` already read into a list (the page lists them) costs no query."""
    if not code:
        return None
    if isinstance(stores, QuerySet):
        store = store_by_code(stores=stores, code=code)
    else:
        store = next((s for s in stores if s.code == code), None)
    if store is None:
        raise Http404
    return store


def next_url(request: HttpRequest, candidate: str | None) -> str | None:
    """A form's `next` (the page to go back to) when it is a path of this site, else None. A bare word is not one:
    redirect() would read it as the name of a view (a 500 when there is none), and another site's address is not
    followed."""
    if not candidate or not urlsplit(candidate).path.startswith("/"):
        return None
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else None


def is_refusal(error: DomainError) -> bool:
    return error.http_status == 403


def fragment_status(error: DomainError) -> int:
    """The status of an HTMX fragment that shows `error` in place. base.html's htmx-config swaps 2xx-4xx answers only,
    so an error a provider caused (a 502: it refused, failed or did not confirm) is answered as the form's refusal
    (400), or the user sees nothing; a full page and the API keep the error's own status."""
    return error.http_status if error.http_status < 500 else 400


def form_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to the field it names (by its first part: `rules.0.value` -> `rules`), or at the
    top of the form when the form has no such field or only a hidden one (a one-time token). A refusal is re-raised.
    """
    if is_refusal(error):
        raise error
    form.add_error(_error_field(form, error.field), error.message)


def form_refused(form: forms.Form, error: DomainError, *, fragment: bool = False) -> int:
    """A form's service refused it: show the error on the form (``form_error``) and return the status the page
    answers with, the error's own (a 409 for a form token already sent elsewhere, a 429 for a limit), not a blanket
    400; an HTMX fragment answers with ``fragment_status``."""
    form_error(form, error)
    return fragment_status(error) if fragment else error.http_status


def _error_field(form: forms.Form, field: str | None) -> str | None:
    # A form whose fields are named otherwise than the service's (policy tiers, notice templates) says which.
    if hasattr(form, "error_field"):
        return form.error_field(field)
    name = (field or "").split(".")[0]
    return name if name in form.fields and not form.fields[name].widget.is_hidden else None


def page_message(request: HttpRequest, error: DomainError, *, message: bool = True) -> str:
    """A domain error of a write that has no form, as the text the page shows (also added as the next page's message
    unless ``message=False``, for a view that renders it in place); a refusal is re-raised."""
    if is_refusal(error):
        raise error
    if message:
        messages.error(request, error.message)
    return error.message


def form_errors_text(form: forms.Form) -> str:
    """The form's errors as one line the user reads away from the form: each named by its field's label, but for a
    field the page does not show (a hidden one has no label of ours: Django's would be its name in English)."""
    parts = []
    for name, errors in form.errors.items():
        shown = name in form.fields and not form.fields[name].widget.is_hidden  # NON_FIELD_ERRORS: no field either
        parts += [labelled(form[name].label, error) if shown else str(error) for error in errors]
    return itemised(parts)


@dataclass(frozen=True)
class Attempt:
    """What a page's write came to: the action's result when it went through, else the text the user is shown and the
    status the page answers with (the error's own; 400 for an invalid form)."""

    result: Any = None
    error: str = ""
    status: int = 200

    @property
    def ok(self) -> bool:
        return not self.error


def page_attempt(
    request: HttpRequest, action: Callable[[], Any], *, form: forms.Form | None = None, message: bool = True
) -> Attempt:
    """Run a page's write (``action``, which may read ``form.cleaned_data``: it runs only for a valid form). The text
    the user is shown is also added as a message unless ``message=False``, for a view that renders it in place."""
    if form is not None and not form.is_valid():
        text = form_errors_text(form)
        if message:
            messages.error(request, text)
        return Attempt(error=text, status=400)
    try:
        return Attempt(result=action())
    except DomainError as error:
        if form is not None:
            form_error(form, error)
        return Attempt(error=page_message(request, error, message=message), status=error.http_status)
