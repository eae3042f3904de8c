"""Letters pages: today's print batch (agents and managers of the store), and the managers' rule, templates and
inserts. Thin: scope the store, validate the form, call the service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.downloads import file_response
from crm.errors import DomainError, InvalidInput
from crm.models import Order, Store
from crm.pages import form_refused, page_attempt, store_code
from crm.selectors import store_by_code
from crm.validators import is_ascii_number

from . import selectors, services
from .default_texts import DEFAULT_PARTS
from .forms import LetterRuleForm, LetterTemplateForm, ParcelInsertForm, PreviewOrderForm
from .models import Letter, LetterTemplate, ParcelInsert, PrintBatch
from .printing import letters_pdf
from .selection import rule_for


def _store(request: HttpRequest, stores: QuerySet[Store]) -> Store:
    """The store named by ?store=code among those the user may see (404 for any other), else their first."""
    code = store_code(request)
    store = store_by_code(stores=stores, code=code) if code else stores.first()
    if store is None:
        raise Http404
    return store


def _managed(request: HttpRequest) -> Store:
    return _store(request, selectors.letter_settings_stores_for(user=request.user))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, filename=filename, content_type="application/pdf")


@require_GET
@login_required
def batch_page(request: HttpRequest) -> HttpResponse:
    stores = selectors.letter_stores_for(user=request.user)
    store = _store(request, stores)
    batches = list(selectors.batches_of_store(store=store))
    chosen = request.GET.get("batch")
    batch = next((b for b in batches if str(b.pk) == chosen), batches[0] if batches else None)
    context = {
        "store": store,
        "stores": stores,
        "batches": batches,
        "batch": batch,
        "letters": (letters := selectors.batch_letters(batch=batch) if batch else []),
        # The PDF links and "Mark printed" name the letters listed here: a letter prepared meanwhile is in neither.
        "upto": max((letter.pk for letter in letters), default=0),
        "today": timezone.localtime(timezone.now(), store.tzinfo).date(),
        "can_edit": selectors.letter_settings_stores_for(user=request.user).filter(pk=store.pk).exists(),
    }
    return render(request, "letters/batch.html", context)


@require_POST
@login_required
def batch_prepare(request: HttpRequest) -> HttpResponse:
    store = _store(request, selectors.letter_stores_for(user=request.user))
    batch = page_attempt(request, lambda: services.letters_prepare(store=store)).result
    url = f"{reverse('letters:batch')}?store={store.code}"
    return redirect(f"{url}&batch={batch.pk}" if batch else url)


def _batch(request: HttpRequest, batch_id: int) -> PrintBatch:
    stores = selectors.letter_stores_for(user=request.user)
    return get_object_or_404(PrintBatch.objects.select_related("store"), pk=batch_id, store__in=stores)


def _upto(data) -> int | None:
    """The last letter the page listed (`upto`), or None when not given: the whole batch."""
    value = data.get("upto")
    if value is None:
        return None
    if not is_ascii_number(value) or len(value) > 18:
        raise InvalidInput(_("Reload the page: the letters it listed are not known."), field="upto")
    return int(value)


@require_GET
@login_required
def batch_pdf(request: HttpRequest, batch_id: int, cue_cards: bool = False) -> HttpResponse:
    batch = _batch(request, batch_id)
    letters = selectors.batch_letters(batch=batch, upto=_upto(request.GET))
    if not letters:  # WeasyPrint would lay out one blank page
        messages.error(request, _("There is nothing to print: the batch lists no letters."))
        return redirect(f"{reverse('letters:batch')}?store={batch.store.code}&batch={batch.pk}")
    kind = "cue-cards" if cue_cards else "letters"
    return _pdf(
        letters_pdf(store=batch.store, letters=letters, cue_cards=cue_cards),
        f"{batch.store.code}-{batch.day}-{batch.pk}-{kind}.pdf",
    )


@require_POST
@login_required
def batch_printed(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch, moved, already = services.batch_mark_printed(
        batch=_batch(request, batch_id), actor=request.user, upto=_upto(request.POST)
    )
    if already:
        at = timezone.localtime(batch.printed_at, batch.store.tzinfo)
        messages.warning(
            request,
            _("Batch #%(id)s was already marked printed by %(by)s at %(at)s; nothing changed.")
            % {"id": batch.pk, "by": batch.printed_by or "—", "at": f"{at:%H:%M}"},
        )
    else:
        messages.success(request, _("The batch is marked printed."))
    if moved:
        messages.warning(
            request,
            ngettext(
                "%(count)s letter was prepared after this page was shown and is in no PDF: it is in a new batch.",
                "%(count)s letters were prepared after this page was shown and are in no PDF: they are in a new batch.",
                moved,
            )
            % {"count": moved},
        )
    return redirect(f"{reverse('letters:batch')}?store={batch.store.code}&batch={batch.pk}")


@require_POST
@login_required
def letter_reprint(request: HttpRequest, letter_id: int) -> HttpResponse:
    stores = selectors.letter_stores_for(user=request.user)
    letter = get_object_or_404(Letter, pk=letter_id, store__in=stores, status=Letter.Status.LETTER)
    letter = services.letter_reprint(letter=letter, actor=request.user)
    full = selectors.letter_for_order(order_id=letter.order_id)
    return _pdf(letters_pdf(store=letter.store, letters=[full]), f"{letter.store.code}-{full.order.external_id}.pdf")


@require_GET
@login_required
def templates_page(request: HttpRequest) -> HttpResponse:
    store = _managed(request)
    context = {
        "store": store,
        "stores": selectors.letter_settings_stores_for(user=request.user),
        "templates": selectors.templates_of_store(store=store),
        "rule": rule_for(store=store),
    }
    return render(request, "letters/templates.html", context)


def _template_form_page(request, store, form, template, preview=None, status=200) -> HttpResponse:
    context = {
        "store": store,
        "form": form,
        "template": template,
        "preview_form": PreviewOrderForm(request.POST or None, store=store),
        "preview": preview,
    }
    return render(request, "letters/template_edit.html", context, status=status)


def _default_initial(language: str) -> dict:
    parts = DEFAULT_PARTS[language]
    return {"language": language, **{name: "\n".join(parts[name]) for name in LetterTemplate.PARTS}}


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    store = _managed(request)
    template = get_object_or_404(LetterTemplate, pk=template_id, store=store) if template_id else None
    if request.method != "POST":
        language = request.GET.get("language") if request.GET.get("language") in DEFAULT_PARTS else "zh-hans"
        initial = None if template else {"name": _("Thank-you letter"), **_default_initial(language)}
        return _template_form_page(request, store, LetterTemplateForm(instance=template, initial=initial), template)
    form = LetterTemplateForm(request.POST, instance=template)
    status = 400
    if form.is_valid():
        try:
            saved = services.letter_template_save(
                store=store, actor=request.user, data=form.cleaned_data, template=template
            )
        except DomainError as error:
            status = form_refused(form, error)
        else:
            messages.success(request, _("The letter template is saved."))
            return redirect(f"{reverse('letters:template', args=[saved.pk])}?store={store.code}")
    return _template_form_page(request, store, form, template, status=status)


@require_POST
@login_required
def template_preview(request: HttpRequest) -> HttpResponse:
    """The letter a chosen order would get with the template as written in the form (nothing is saved)."""
    store = _managed(request)
    form = LetterTemplateForm(request.POST)
    choose = PreviewOrderForm(request.POST, store=store)
    context = {"store": store}
    if not (form.is_valid() and choose.is_valid() and choose.cleaned_data["order"]):
        context["errors"] = [e for errors in (*form.errors.values(), *choose.errors.values()) for e in errors] or [
            _("Choose an order to preview.")
        ]
        return render(request, "letters/_preview.html", context, status=400)
    order: Order = choose.cleaned_data["order"]
    # The form's own error is the preview's, in place (a refusal is the 403 page: crm.pages).
    previewed = page_attempt(
        request, lambda: services.letter_preview(store=store, order=order, data=form.cleaned_data), message=False
    )
    if not previewed.ok:
        context["errors"] = [previewed.error]
        return render(request, "letters/_preview.html", context, status=previewed.status)
    context |= {"written": previewed.result, "order": order}
    return render(request, "letters/_preview.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def rule_page(request: HttpRequest) -> HttpResponse:
    store = _managed(request)
    rule = rule_for(store=store)
    form = LetterRuleForm(request.POST or None, instance=rule, store=store)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.letter_rule_update(store=store, actor=request.user, changes=form.cleaned_data)
            except DomainError as error:
                status = form_refused(form, error)
            else:
                messages.success(request, _("The letter rule is saved."))
                return redirect(f"{reverse('letters:rule')}?store={store.code}")
    context = {
        "store": store,
        "stores": selectors.letter_settings_stores_for(user=request.user),
        "form": form,
        "segments_note": "segment" not in form.fields,
    }
    return render(request, "letters/rule.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def inserts_page(request: HttpRequest, insert_id: int | None = None) -> HttpResponse:
    store = _managed(request)
    insert = get_object_or_404(ParcelInsert, pk=insert_id, store=store) if insert_id else None
    form = ParcelInsertForm(request.POST or None, instance=insert)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.parcel_insert_save(store=store, actor=request.user, data=form.cleaned_data, insert=insert)
            except DomainError as error:
                status = form_refused(form, error)
            else:
                messages.success(request, _("The card is saved."))
                return redirect(f"{reverse('letters:inserts')}?store={store.code}")
    context = {
        "store": store,
        "stores": selectors.letter_settings_stores_for(user=request.user),
        "inserts": selectors.inserts_of_store(store=store),
        "insert": insert,
        "form": form,
    }
    return render(request, "letters/inserts.html", context, status=status)
