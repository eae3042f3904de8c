"""Campaign pages: the list and a new campaign, one campaign's preview, test send, start and results."""

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from callbacks.models import OUTCOME_LABELS
from callbacks.services.policy import policy_for_store
from crm.errors import DomainError
from crm.pages import form_refused, page_attempt
from crm.selectors import agent_for_user
from crm.services.submissions import submission_once

from ..forms import CampaignForm, TestSendForm
from ..models import Campaign, CampaignChannel, CampaignContact
from ..results import campaign_results
from ..selectors import (
    campaign_calls,
    campaign_replies,
    campaigns_for_store,
    campaigns_held_by_store_hours,
    stores_for_retention,
)
from ..services.campaigns import CampaignInput, campaign_create, campaign_start, campaign_stop, campaign_test_send
from ..services.plan import campaign_plan, reason_label
from ..wording import campaign_offer_text
from .common import managed_store

_SAMPLE = 20


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest, store_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    form = CampaignForm(request.POST or None, store=store)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            lines = lambda text: [line for line in text.splitlines() if line.strip()]  # noqa: E731
            campaign = CampaignInput(
                name=data["name"],
                segment=data["segment"],
                purpose=data["purpose"],
                channel=data["channel"],
                wordings=lines(data["wordings"]),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                send_from=data["send_from"],
                send_until=data["send_until"],
                offer_kind=data["offer_kind"],
                offer_amount=data["offer_amount"],
                offer_min_spend=data["offer_min_spend"],
                coupon_codes=tuple(lines(data["coupon_codes"])),
                control_percent=data["control_percent"],
                attribution_days=data["attribution_days"],
            )
            created_by = agent_for_user(user=request.user)
            try:
                # A double click sends the form twice: the second is shown the draft the first made.
                submitted = submission_once(
                    token=data["submission"],
                    user=request.user,
                    form="retention.campaign",
                    store=store,
                    create=partial(campaign_create, store=store, created_by=created_by, data=campaign),
                )
            except DomainError as exc:
                status = form_refused(form, exc)  # a token sent to another store's address: 409
            else:
                return redirect("retention:campaign", store_id=store.pk, campaign_id=submitted.object_id)
    context = {
        "store": store,
        "stores": stores_for_retention(user=request.user),
        "form": form,
        "campaigns": campaigns_for_store(store=store),
    }
    return render(request, "retention/campaigns.html", context, status=status)


def _detail_context(request, store, campaign, **extra):
    test_form = TestSendForm(store=store, sender=request.user)
    context = {"store": store, "campaign": campaign, "test_form": test_form, **_test_send_limit(), **extra}
    # The offer as the customers read it: the store's currency, the SMS language.
    context["offer"] = campaign_offer_text(campaign=campaign, policy=policy_for_store(store=store))
    if campaign.status == Campaign.Status.DRAFT:
        plan = campaign_plan(campaign=campaign)
        names = dict(
            campaign.store.customers.filter(pk__in=plan.contact[:_SAMPLE] + list(plan.excluded)[:_SAMPLE]).values_list(
                "pk", "name"
            )
        )
        context["plan"] = plan
        context["contact_sample"] = [names.get(c, c) for c in plan.contact[:_SAMPLE]]
        context["excluded_sample"] = [
            (names.get(c, c), reason_label(r)) for c, r in list(plan.excluded.items())[:_SAMPLE]
        ]
        reasons: dict[str, int] = {}
        for r in plan.excluded.values():
            reasons[reason_label(r)] = reasons.get(reason_label(r), 0) + 1
        context["excluded_reasons"] = sorted(reasons.items(), key=lambda kv: -kv[1])
    else:
        results = campaign_results(campaign=campaign)
        context["results"] = results
        context["replies"] = campaign_replies(campaign=campaign) if results.replied else []
        # How many wait for the store's SMS hours, or were withdrawn for them, and why (ADR 0044).
        holds = campaigns_held_by_store_hours(store=store, campaign=campaign)
        context["store_hours_hold"] = holds[0] if holds else None
        context["result_exclusions"] = [(reason_label(r), n) for r, n in results.exclusions.items()]
        context["call_outcomes"] = [
            # A return visit's own wording, else callbacks' (a call nobody made: "missed").
            (
                CampaignContact.CallOutcome(o).label
                if o in CampaignContact.CallOutcome.values
                else OUTCOME_LABELS.get(o, o),
                n,
            )
            for o, n in results.call_outcomes.items()
        ]
        if campaign.channel == CampaignChannel.CALL:
            context["calls"] = [
                (row, reason_label(row.excluded_reason) if row.excluded_reason else "")
                for row in campaign_calls(campaign=campaign)
            ]
    return context


@login_required
@require_http_methods(["GET"])
def campaign(request: HttpRequest, store_id: int, campaign_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    obj = get_object_or_404(Campaign.objects.select_related("segment", "store"), store=store, pk=campaign_id)
    return render(request, "retention/campaign.html", _detail_context(request, store, obj))


def _campaign_write(request: HttpRequest, store_id: int, campaign_id: int, write) -> HttpResponse:
    """Start or stop: the campaign's body again, with the service's refusal in it and its status (a refusal of the
    user's rights is the 403 page, crm.pages)."""
    store = managed_store(request, store_id)
    obj = get_object_or_404(Campaign.objects.select_related("segment", "store"), store=store, pk=campaign_id)
    attempt = page_attempt(request, lambda: write(campaign=obj), message=False)
    obj.refresh_from_db()
    context = _detail_context(request, store, obj, start_error=attempt.error)
    return render(request, "retention/_campaign_body.html", context, status=attempt.status)


@login_required
@require_POST
def start(request: HttpRequest, store_id: int, campaign_id: int) -> HttpResponse:
    return _campaign_write(request, store_id, campaign_id, campaign_start)


@login_required
@require_POST
def stop(request: HttpRequest, store_id: int, campaign_id: int) -> HttpResponse:
    return _campaign_write(request, store_id, campaign_id, campaign_stop)


@login_required
@require_POST
def test_send(request: HttpRequest, store_id: int, campaign_id: int) -> HttpResponse:
    store = managed_store(request, store_id)
    obj = get_object_or_404(Campaign, store=store, pk=campaign_id)
    form, body, status = TestSendForm(request.POST, store=store, sender=request.user), "", 400
    if form.is_valid():
        try:
            body = campaign_test_send(
                campaign=obj,
                recipient=form.cleaned_data["recipient"],
                sender=request.user,
                submission=form.cleaned_data["submission"],
            )
            status = 200
        except DomainError as exc:
            # The provider's unknown outcome (a 502) is this form's message.
            status = form_refused(form, exc, fragment=True)
    # A double click repeats the test it sent; a click on the form of the answer is another test.
    form.renew()
    return render(
        request,
        "retention/_test_send.html",
        {"store": store, "campaign": obj, "test_form": form, "sent_body": body, **_test_send_limit()},
        status=status,
    )


def _test_send_limit() -> dict:
    return {"test_send_limit": settings.RETENTION_TEST_SENDS_PER_HOUR}
