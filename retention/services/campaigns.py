"""Creating, starting and test-sending campaigns."""

import itertools
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.services.messages import public_url
from callbacks.services.numbers import number_opted_out
from callbacks.services.policy import policy_for_store
from callbacks.services.tasks_calls import call_tasks_withdraw
from callbacks.telephony import MessageRejected, OutcomeUnknown, ProviderBusy, TelephonyError, get_backend
from crm import bulk
from crm.errors import InvalidInput
from crm.models import Agent, Customer, FormSubmission, Store
from crm.phones import normalise_phone
from crm.selectors import agents_serving
from crm.services.audit import audit_record
from crm.services.submissions import submission_claim, submission_release

from ..errors import (
    CampaignEnded,
    CampaignNotDraft,
    CampaignNotRunning,
    CampaignTestLimitReached,
    CampaignTestOutcomeUnknown,
    CampaignTestRecipientOptedOut,
    CampaignTestRecipientRefused,
    CouponPoolExhausted,
    SegmentEmpty,
)
from ..models import Campaign, CampaignChannel, CampaignContact, ContactStatus, Coupon, OfferKind, Segment
from ..selectors import campaign_test_recipients, segment_members
from ..wording import campaign_text, wordings_clean
from .coupons import coupons_redeem
from .hours import store_hours_moment
from .plan import CAMPAIGN_STOPPED, Plan, campaign_plan

_MAX_COUPON = 40
_TEST_SEND_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class CampaignInput:
    name: str
    segment: Segment | None
    purpose: str
    channel: str
    wordings: list[str]
    starts_at: datetime
    ends_at: datetime
    send_from: time
    send_until: time
    offer_kind: str = OfferKind.NONE
    offer_amount: Decimal = Decimal("0")
    offer_min_spend: Decimal = Decimal("0")
    coupon_codes: tuple[str, ...] = ()
    control_percent: int = 0
    attribution_days: int = 30


def _coupon_codes(data: CampaignInput) -> list[str]:
    codes = list(dict.fromkeys(c.strip() for c in data.coupon_codes if c.strip()))
    if data.offer_kind != OfferKind.COUPON_POOL:
        return []
    if not codes:
        raise InvalidInput(_("Add the coupon codes of the pool, one a line."), field="coupon_codes")
    if any(len(c) > _MAX_COUPON for c in codes):
        raise InvalidInput(_("A coupon code has at most 40 characters."), field="coupon_codes")
    return codes


def _in_quiet_hours(policy) -> InvalidInput:
    return InvalidInput(
        _("Sending hours fall in the store's quiet hours: SMS may go out between %(start)s and %(end)s.")
        % {"start": f"{policy.sms_send_from:%H:%M}", "end": f"{policy.sms_send_until:%H:%M}"},
        field="send_from",
    )


def _check(store: Store, data: CampaignInput) -> list[str]:
    if not data.name.strip():
        raise InvalidInput(_("Give the campaign a name."), field="name")
    if data.segment is None or data.segment.store_id != store.pk:
        raise InvalidInput(_("Choose one of the store's segments."), field="segment")
    if data.ends_at <= data.starts_at:
        raise InvalidInput(_("The campaign must end after it starts."), field="ends_at")
    if data.ends_at <= timezone.now():
        raise InvalidInput(_("The campaign must end in the future."), field="ends_at")
    if data.send_until <= data.send_from:
        raise InvalidInput(_("Sending hours must end after they start."), field="send_until")
    if data.channel == CampaignChannel.SMS:
        policy = policy_for_store(store=store)
        if data.send_from < policy.sms_send_from or data.send_until > policy.sms_send_until:
            raise _in_quiet_hours(policy)
    if not 0 <= data.control_percent <= 50:
        raise InvalidInput(_("The control group is between 0 and 50 percent."), field="control_percent")
    if data.offer_kind != OfferKind.NONE and data.offer_amount <= 0:
        raise InvalidInput(_("Give the amount the offer takes off."), field="offer_amount")
    if not segment_members(segment=data.segment).exists():
        raise SegmentEmpty(_("The segment has no customers: refresh the segments or choose another."), field="segment")
    return wordings_clean(data.wordings, offer_kind=data.offer_kind)


@transaction.atomic
def campaign_create(*, store: Store, data: CampaignInput, created_by: Agent | None = None) -> Campaign:
    wordings = _check(store, data)
    codes = _coupon_codes(data)
    campaign = Campaign.objects.create(
        store=store,
        name=data.name.strip(),
        segment=data.segment,
        purpose=data.purpose,
        channel=data.channel,
        wordings=wordings,
        offer_kind=data.offer_kind,
        offer_amount=data.offer_amount,
        offer_min_spend=data.offer_min_spend,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        send_from=data.send_from,
        send_until=data.send_until,
        control_percent=data.control_percent,
        attribution_days=data.attribution_days,
        created_by=created_by,
    )
    Coupon.objects.bulk_create([Coupon(campaign=campaign, code=code) for code in codes])
    # An order that came in before the pool existed may carry one of its codes already.
    coupons_redeem(store_id=store.pk, codes=codes)
    return campaign


def _serving(store: Store) -> list[int]:
    """The agents and managers still serving the store (an agent who left keeps their stores, login switched off)."""
    return list(agents_serving(store=store).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def campaign_start(*, campaign: Campaign, now: datetime | None = None) -> Plan:
    """Write one contact row per member (to contact, held back, or excluded with the reason) and run it.

    SMS rows are then sent by the SMS sweeper (services.sending); call rows become call tasks in the agents'
    daytime queue once due (services.visits). An exhausted coupon pool, an empty segment or an end that comes
    before the next sending hour (`CampaignEnded`) refuses the start and writes nothing.
    """
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("store", "segment").get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignNotDraft()
    plan = campaign_plan(campaign=campaign, now=now)
    if plan.first_moment >= campaign.ends_at:
        raise CampaignEnded()
    if campaign.channel == CampaignChannel.SMS:
        # The store may have narrowed its SMS hours since the campaign was made: none of its messages could go (ADR
        # 0044).
        policy = policy_for_store(store=campaign.store)
        if store_hours_moment(campaign=campaign, policy=policy, moment=plan.first_moment) is None:
            raise _in_quiet_hours(policy)
    if not plan.size:
        raise SegmentEmpty(_("The segment has no customers: refresh the segments or choose another."), field="segment")
    coupons: list[Coupon] = []
    if campaign.offer_kind == OfferKind.COUPON_POOL:
        coupons = list(
            Coupon.objects.filter(campaign=campaign, contact__isnull=True).order_by("pk")[: len(plan.contact)]
        )
        if len(coupons) < len(plan.contact):
            raise CouponPoolExhausted(
                _("The coupon pool has %(codes)s unused codes for %(contacts)s customers to contact.")
                % {"codes": len(coupons), "contacts": len(plan.contact)},
                field="coupon_codes",
            )
    store, due = campaign.store, plan.first_moment
    people = {c.pk: c for c in Customer.objects.filter(pk__any_of=plan.contact).only("name", "dedicated_owner_id")}
    policy = policy_for_store(store=store)
    serving = _serving(store) if campaign.channel == CampaignChannel.CALL else []
    agents = itertools.cycle(serving) if serving else None
    rows = []
    base = {"campaign_id": campaign.pk, "store_id": store.pk, "channel": campaign.channel, "due_at": due}
    blank = {"excluded_reason": "", "coupon_code": "", "message_body": "", "assignee_id": None}
    for customer_id, coupon in itertools.zip_longest(plan.contact, coupons):
        customer = people[customer_id]
        row = {**base, **blank, "customer_id": customer_id, "status": ContactStatus.PLANNED.value,
               "coupon_code": coupon.code if coupon else ""}  # fmt: skip
        if campaign.channel == CampaignChannel.SMS:
            row["message_body"] = campaign_text(campaign=campaign, policy=policy, customer_id=customer_id,
                                                name=customer.name, coupon=row["coupon_code"])  # fmt: skip
        else:
            owner = customer.dedicated_owner_id if customer.dedicated_owner_id in serving else None
            row["assignee_id"] = owner or (next(agents) if agents else None)
        rows.append(row)
    rows += [{**base, **blank, "customer_id": c, "status": ContactStatus.CONTROL.value} for c in plan.control]
    rows += [
        {**base, **blank, "customer_id": c, "status": ContactStatus.SUPPRESSED.value, "excluded_reason": reason}
        for c, reason in plan.excluded.items()
    ]
    # 100,000 rows for a big campaign: one COPY (crm.bulk), not a model per row.
    ids = bulk.copy_rows(CampaignContact, rows, ids=True)
    if coupons:
        bulk.update_rows(Coupon, [(coupon.pk, pk) for coupon, pk in zip(coupons, ids, strict=False)],
                         fields=["contact_id"])  # fmt: skip
    campaign.status, campaign.started_at = Campaign.Status.RUNNING, now
    campaign.save(update_fields=["status", "started_at"])
    return plan


@transaction.atomic
def campaign_stop(*, campaign: Campaign) -> int:
    """Stop a running campaign: it is finished, and what it has not done yet is withdrawn, in this transaction, as
    `campaign_stopped`; returns how many rows. Withdrawn: its messages not yet claimed by the SMS sweeper, its call
    rows not yet a call task, and its return-visit calls waiting in an agent's queue (not called yet, or planned again
    after no answer): callbacks suppresses those tasks with the reason, which the call panel shows, and the campaign
    page lists them with it. A message already claimed goes out (at most once, as claimed); a call under way is left
    to finish, and its outcome counts (a no answer then is not tried again: services.visits). Rows that would come
    later (a birthday wish) are excluded by the sweeper, which sends only for a running campaign."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.RUNNING:
        raise CampaignNotRunning()
    now = timezone.now()
    stopping = {"status": ContactStatus.SUPPRESSED, "excluded_reason": CAMPAIGN_STOPPED, "updated_at": now}
    # A row a sweeper is claiming now is locked: this waits for it, then finds it `sending` (a message: it goes), or
    # with the call task the sweep just made (read by the next statement, and taken back), and leaves it here.
    stopped = CampaignContact.objects.filter(
        campaign=campaign, status=ContactStatus.PLANNED, call_task__isnull=True
    ).update(**stopping)
    # Every task still waiting is locked before its row, in the outcome service's order (task, then row): an outcome
    # being logged is waited for, and its retry withdrawn; one logged after this commits finds the campaign stopped
    # (services.visits) or its task withdrawn.
    withdrawn = call_tasks_withdraw(
        followup_ids=CampaignContact.objects.filter(
            campaign=campaign, status=ContactStatus.PLANNED, call_task__isnull=False
        ).values_list("call_task_id", flat=True),
        reason=CAMPAIGN_STOPPED,
    )
    stopped += CampaignContact.objects.filter(call_task_id__in=withdrawn).update(**stopping)
    campaign.status = Campaign.Status.FINISHED
    campaign.save(update_fields=["status"])
    return stopped


TEST_SEND = "campaign_test_send"  # the audit log's action: each test message sent is recorded
_TEST_FORM = "retention.campaign_test"  # the test send form's one-time tokens (crm.services.submissions)


def campaign_test_send(*, campaign: Campaign, recipient: Agent, sender, submission: uuid.UUID) -> str:
    """Send the first wording, as a customer would get it, to the phone of someone serving the campaign's store
    (no contact row, not counted in the results). Returns the text sent.

    - Only an agent or manager serving the store, with a phone on file: never a number typed in, so a test send
      is not a way to text anyone (`CampaignTestRecipientRefused`, field "recipient").
    - Not to a phone that replied STOP to the store's messages (`CampaignTestRecipientOptedOut`, field "recipient"):
      the contact gate keeps the store's SMS from it (ADR 0049), and Twilio would refuse it. Nothing is claimed.
    - At most settings.RETENTION_TEST_SENDS_PER_HOUR per sender in any hour (`CampaignTestLimitReached`, 429).
    - Once per form (crm.services.submissions): the form's token is claimed and committed before the request
      leaves, so a double click or a resent form texts once and is answered the same text. A refusal (nothing was
      sent) gives the token back, and is neither counted nor recorded; an unknown outcome (a timeout, a 5xx: the
      provider may have taken it) keeps it and says the message may have been sent (`CampaignTestOutcomeUnknown`).
      The token is bound to the campaign: sent again to another campaign's address it is refused
      (`SubmissionTokenOfAnotherSubject`, 409) and nothing is sent.
    - Called with no transaction open: the request to the provider never holds one. Each message sent is recorded in
      the audit log with its sender, campaign and recipient.
    """
    if not campaign_test_recipients(store=campaign.store, sender=sender).filter(pk=recipient.pk).exists():
        raise CampaignTestRecipientRefused()
    to = normalise_phone(recipient.phone, field="recipient")
    if number_opted_out(store=campaign.store, phone=to):
        raise CampaignTestRecipientOptedOut()
    policy = policy_for_store(store=campaign.store)
    sample = Campaign(**{f.attname: getattr(campaign, f.attname) for f in Campaign._meta.concrete_fields})
    sample.wordings = campaign.wordings[:1]
    body = campaign_text(
        campaign=sample,
        policy=policy,
        customer_id=0,
        name=str(recipient),
        coupon="TEST-COUPON" if campaign.offer_kind == OfferKind.COUPON_POOL else "",
    )
    if not _test_send_claim(sender=sender, campaign=campaign, submission=submission):
        return body  # a repeat of a form already sent
    try:
        # Status reports for a test come to the campaign webhook under an id no contact has: answered, ignored.
        get_backend().send_sms(to=to, body=body, status_callback=public_url("retention:message-status", 0))
    except OutcomeUnknown as exc:
        raise CampaignTestOutcomeUnknown() from exc
    except TelephonyError as exc:
        if isinstance(exc, MessageRejected | ProviderBusy):
            submission_release(token=submission)
        # The provider's code, not its words (English): the manager reads the page in their own language.
        raise InvalidInput(
            _("The provider refused the test message (its error code: %(code)s).") % {"code": exc.code or "–"},
            field="recipient",
            provider_message=str(exc),
        ) from exc
    audit_record(
        actor=sender, action=TEST_SEND, store=campaign.store, target=campaign.name, data={"to": str(recipient)}
    )
    return body


@transaction.atomic
def _test_send_claim(*, sender, campaign: Campaign, submission: uuid.UUID) -> bool:
    """Claim the form's token if the sender is within the hour's limit; False for a repeat of a form already sent.

    The hour's sends are the sender's claimed tokens (a claim is committed before its request leaves; a refused
    send's is given back). The sender's user row is locked first, so two sends at once cannot both take the
    hour's last one."""
    get_user_model().objects.select_for_update().filter(pk=sender.pk).exists()
    if not FormSubmission.objects.filter(pk=submission).exists():
        now = timezone.now()
        limit = settings.RETENTION_TEST_SENDS_PER_HOUR
        claimed = FormSubmission.objects.filter(user=sender, form=_TEST_FORM, created_at__gt=now - _TEST_SEND_WINDOW)
        if len(times := list(claimed.order_by("created_at").values_list("created_at", flat=True)[:limit])) >= limit:
            minutes = math.ceil((times[0] + _TEST_SEND_WINDOW - now).total_seconds() / 60)
            raise CampaignTestLimitReached(
                _("You sent %(limit)d test messages in the last hour, the most allowed; try again in %(minutes)d min.")
                % {"limit": limit, "minutes": max(minutes, 1)},
                field="recipient",
            )
    # Bound to the campaign: a test form of one campaign sent to another is refused, not taken for a double click.
    return submission_claim(token=submission, user=sender, form=_TEST_FORM, store=campaign.store, subject=campaign)
