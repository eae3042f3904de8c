"""The store's gift list and the open gift tasks, where the gift sent is chosen (unsuitable ones refused)."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import DomainError
from crm.pages import form_refused
from crm.selectors import stores_for_user
from crm.services.submissions import submission_once

from ..forms import GiftForm, GiftSendForm
from ..selectors import (
    gift_tasks_for_assignee,
    gift_tasks_for_store,
    gift_tasks_workable_by,
    gifts_for_store,
    stores_for_retention,
)
from ..services.gifts import gift_create, gift_task_send
from .common import managed_store


def _context(request, store, form=None):
    return {
        "store": store,
        "stores": stores_for_retention(user=request.user),
        "gifts": gifts_for_store(store=store),
        "form": form or GiftForm(store=store),
        "tasks": GiftSendForm.for_tasks(tasks=gift_tasks_for_store(store=store)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def gifts(request: HttpRequest, store_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    if request.method == "POST":
        form, status = GiftForm(request.POST, store=store), 400
        if form.is_valid():
            fields = {**form.cleaned_data, "segments": list(form.cleaned_data["segments"])}
            token = fields.pop("submission")
            try:
                # A double click sends the form twice: the second adds nothing and is shown the list, as the first.
                submission_once(
                    token=token,
                    user=request.user,
                    form="retention.gift",
                    store=store,
                    create=partial(gift_create, store=store, **fields),
                )
            except DomainError as exc:
                status = form_refused(form, exc)  # a token sent to another store's address: 409
            else:
                return redirect("retention:gifts", store_id=store.pk)
        return render(request, "retention/gifts.html", _context(request, store, form), status=status)
    return render(request, "retention/gifts.html", _context(request, store))


@login_required
@require_http_methods(["GET"])
def my_gift_tasks(request: HttpRequest) -> HttpResponse:
    """The gift tasks given to the user (an agent is given them as a customer's dedicated owner or by load)."""
    tasks = GiftSendForm.for_tasks(tasks=gift_tasks_for_assignee(user=request.user))
    return render(request, "retention/my_gift_tasks.html", {"tasks": tasks})


@login_required
@require_POST
def gift_send(request: HttpRequest, store_id: int, task_id: int) -> HttpResponse:
    """Record a task's gift as sent: the store's manager, or the agent the task was given to."""
    store = get_object_or_404(stores_for_user(user=request.user), pk=store_id)
    task = get_object_or_404(gift_tasks_workable_by(user=request.user, store=store), pk=task_id)
    form = GiftSendForm(request.POST, store=store, prefix=f"t{task.pk}")
    status = 400
    if form.is_valid():
        try:
            task = gift_task_send(
                task=task, gift=form.cleaned_data["gift"], actor=request.user, note=form.cleaned_data["note"]
            )
            status = 200
        except DomainError as exc:
            status = form_refused(form, exc, fragment=True)
            task.refresh_from_db()  # the row as it is now (recorded or cancelled meanwhile), with why it was refused
    return render(request, "retention/_gift_task.html", {"store": store, "task": task, "form": form}, status=status)
