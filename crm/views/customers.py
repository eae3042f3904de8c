"""The customer list (with the case list's search), the customer's archive page, editing its profile and
opening a case by hand; a dedicated owner's "my customers" with their orders in progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm.casework import customer_sections
from crm.forms import CaseOpenForm, CustomerSearchForm, ProfileForm
from crm.models import Case, Customer, Order
from crm.pages import page_attempt, page_number, store_filter
from crm.personality import answering_strategy
from crm.selectors import stores_for_user
from crm.selectors.customers import (
    customer_cases,
    customer_changes,
    customer_contacts,
    customer_orders,
    customer_search,
    customers_for_user,
    owner_orders_in_progress,
    purchase_habits,
)
from crm.services.cases import case_open
from crm.services.customers import EDITABLE_FIELDS, customer_reveal_phone, customer_update_profile


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    return get_object_or_404(customers_for_user(user=request.user), pk=customer_id)


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    stores = list(stores_for_user(user=request.user))
    store = store_filter(stores, request.GET.get("store"))
    form = CustomerSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    mine = request.GET.get("mine") == "1"
    page = page_number(request.GET.get("page"))
    found = customer_search(user=request.user, q=q, owner_only=mine, page=page, store=store)
    context = {
        "stores": stores,
        "store": store,
        "customers": found.rows,
        "has_next": found.has_next,
        "too_many": found.too_many,
        "matches_shown": found.matches_shown,
        "page": page,
        "form": form,
        "mine": mine,
        "orders_in_progress": owner_orders_in_progress(user=request.user, store=store) if mine else [],
    }
    return render(request, "crm/customers/list.html", context)


@login_required
@require_GET
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _render_customer_page(request, _customer(request, customer_id))


def _render_customer_page(request: HttpRequest, customer: Customer, profile_form: ProfileForm | None = None):
    """The customer's page; with `profile_form`, the profile form that was posted, with its errors (a 400)."""
    orders = customer_orders(customer=customer)
    sections = [
        (section.template, section_context)
        for section in customer_sections()
        if (section_context := section.context(customer=customer, user=request.user)) is not None
    ]
    context = {
        "customer": customer,
        "strategy": answering_strategy(customer.personality_type),
        "habits": purchase_habits(customer=customer),
        "orders": orders,
        "cases": customer_cases(customer=customer),
        "contacts": customer_contacts(customer=customer),
        "changes": customer_changes(customer=customer),
        "sections": sections,
        "profile_form": profile_form
        or ProfileForm(instance=customer, initial={"interests": ", ".join(customer.interests)}),
        "open_form": CaseOpenForm(orders=orders),
        "revealed_phone": None,
    }
    return render(request, "crm/customers/page.html", context, status=400 if profile_form else 200)


@login_required
@require_POST
def customer_profile(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    form = ProfileForm(request.POST, instance=Customer.objects.get(pk=customer.pk))
    if not form.is_valid():
        return _render_customer_page(request, customer, profile_form=form)
    changes = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS if field in form.cleaned_data}
    page_attempt(request, lambda: customer_update_profile(customer=customer, actor=request.user, changes=changes))
    return redirect("customers:customer", customer_id=customer.pk)


@login_required
@require_POST
def customer_phone(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Reveal the full number (audited), shown once on the page."""
    customer = _customer(request, customer_id)
    messages.info(request, customer_reveal_phone(customer=customer, actor=request.user))
    return redirect("customers:customer", customer_id=customer.pk)


@login_required
@require_POST
def customer_open_case(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    orders = customer_orders(customer=customer)
    form = CaseOpenForm(request.POST, orders=orders)
    opened = page_attempt(
        request,
        lambda: case_open(
            store=customer.store,
            customer=customer,
            order=Order.objects.filter(pk=form.cleaned_data["order"], customer=customer).first(),
            source=Case.Source.MANUAL,
            cause=form.cleaned_data["cause"],
            summary=form.cleaned_data["summary"],
            actor=request.user,
        ),
        form=form,
    )
    if not opened.ok:
        return redirect("customers:customer", customer_id=customer.pk)
    case, _created = opened.result
    return redirect("cases:case", case_id=case.pk)
