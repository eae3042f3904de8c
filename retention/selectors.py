"""Read queries for retention's pages, scoped by the caller to the user's stores."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from callbacks.services.policy import policy_for_store
from crm.models import Agent, Store
from crm.selectors import agents_serving, stores_for_user, stores_managed_by
from crm.timezones import store_today

from .models import Campaign, CampaignContact, ContactStatus, CustomerAttributes, Gift, GiftTask, Segment
from .rules import rules_explain, rules_q
from .services.hours import STORE_SMS_HOURS, hours_shared, store_hours_moment
from .services.segments import segment_rules


def stores_for_retention(*, user) -> QuerySet[Store]:
    return stores_managed_by(user=user)


def campaign_test_recipients(*, store: Store, sender) -> QuerySet[Agent]:
    """Who may receive a campaign's test message: the agents and managers serving the store with a phone on file,
    the sender first (a test is most often for one's own phone)."""
    mine = Case(When(user_id=sender.pk, then=Value(0)), default=Value(1))
    return agents_serving(store=store).exclude(phone="").order_by(mine, "user__username")


def segment_members(*, segment: Segment, today: date | None = None) -> QuerySet[CustomerAttributes]:
    today = today or store_today(segment.store)
    return CustomerAttributes.objects.filter(rules_q(segment_rules(segment), today=today), store_id=segment.store_id)


def segment_explain(*, segment: Segment, attrs: CustomerAttributes, today: date | None = None) -> list[str]:
    store = segment.store
    return rules_explain(
        segment_rules(segment), attrs=attrs, today=today or store_today(store), currency=store.currency
    )


def segment_sample(*, segment: Segment, size: int = 20) -> list[tuple[CustomerAttributes, list[str]]]:
    today = store_today(segment.store)
    rows = (
        segment_members(segment=segment, today=today)
        .select_related("customer")
        .order_by("-monetary_score", "-recency_score", "customer_id")[:size]
    )
    return [(row, segment_explain(segment=segment, attrs=row, today=today)) for row in rows]


def segments_with_sizes(*, store: Store) -> list[tuple[Segment, int]]:
    """Each segment of the store with its number of members: one pass over the store's customers, each segment a
    filtered count (a count query per segment read the store's customers as many times as it has segments)."""
    today = store_today(store)
    segments = list(Segment.objects.filter(store=store))
    if not segments:
        return []
    sizes = CustomerAttributes.objects.filter(store_id=store.pk).aggregate(
        **{f"s{s.pk}": Count("pk", filter=rules_q(segment_rules(s), today=today)) for s in segments}
    )
    return [(s, sizes[f"s{s.pk}"]) for s in segments]


def campaigns_for_store(*, store: Store) -> QuerySet[Campaign]:
    return Campaign.objects.filter(store=store).select_related("segment")


CALLS_SHOWN = 50


def campaign_calls(*, campaign: Campaign, limit: int = CALLS_SHOWN) -> list[CampaignContact]:
    """A call campaign's rows to be called or called, and those whose call task was taken back (the campaign was
    stopped, the gate refused it when it fell due), not the control group or the rows excluded before any task: the
    latest changed first, what the campaign page lists, each linked to its task's call panel."""
    listed = Q(status__in=[ContactStatus.PLANNED, ContactStatus.DONE, ContactStatus.FAILED]) | Q(
        status=ContactStatus.SUPPRESSED, call_task__isnull=False
    )
    return list(
        CampaignContact.objects.filter(listed, campaign=campaign)
        .select_related("customer", "assignee__user", "call_task")
        .order_by("-updated_at", "-id")[:limit]
    )


REPLIES_SHOWN = 200


def campaign_replies(*, campaign: Campaign, limit: int = REPLIES_SHOWN) -> list[CampaignContact]:
    """The campaign's contacts who replied to its message (retention.services.replies), the latest reply first: what
    the campaign page lists, as many as its results count under Replied."""
    return list(
        CampaignContact.objects.filter(campaign=campaign, replied_at__isnull=False)
        .select_related("customer")
        .only("channel", "sent_at", "replied_at", "customer__name")
        .order_by("-replied_at", "-id")[:limit]
    )


def gifts_for_store(*, store: Store) -> QuerySet[Gift]:
    return Gift.objects.filter(store=store).prefetch_related("segments")


GIFT_TASKS_SHOWN = 200


def _open_first(tasks: QuerySet[GiftTask], limit: int) -> list[GiftTask]:
    """At most `limit` of `tasks`: the open ones, soonest birthday first, then the latest sent or cancelled. (By date
    alone, a year of sent tasks filled the list and hid the ones still to send.)"""
    tasks = tasks.select_related("store", "customer", "gift", "assignee__user")
    waiting = list(tasks.filter(status=GiftTask.Status.OPEN).order_by("occasion_date", "id")[:limit])
    if len(waiting) == limit:
        return waiting
    done = tasks.exclude(status=GiftTask.Status.OPEN).order_by("-occasion_date", "-id")[: limit - len(waiting)]
    return waiting + list(done)


def gift_tasks_for_store(*, store: Store, limit: int = GIFT_TASKS_SHOWN) -> list[GiftTask]:
    """The gift tasks the store's gift page lists (managers)."""
    return _open_first(GiftTask.objects.filter(store=store), limit)


MY_DONE_GIFT_TASKS_SHOWN = 20


def _given_to(user, stores) -> QuerySet[GiftTask]:
    return GiftTask.objects.filter(assignee__user=user, store__in=stores)


def open_gift_tasks_count(*, user, stores: list[Store]) -> int:
    """The open gift tasks given to the user (My gift tasks): the home page's count."""
    return _given_to(user, [s.pk for s in stores]).filter(status=GiftTask.Status.OPEN).count()


def gift_tasks_for_assignee(*, user, limit: int = GIFT_TASKS_SHOWN) -> list[GiftTask]:
    """The gift tasks given to `user` in the stores they serve: every open one, then their last few done."""
    tasks = _open_first(_given_to(user, stores_for_user(user=user)), limit)
    waiting = sum(1 for task in tasks if task.status == GiftTask.Status.OPEN)
    return tasks[: waiting + MY_DONE_GIFT_TASKS_SHOWN]


def gift_tasks_workable_by(*, user, store: Store) -> QuerySet[GiftTask]:
    """The store's gift tasks `user` may record as sent: all of them for its manager, else those given to them."""
    tasks = GiftTask.objects.filter(store=store)
    if stores_managed_by(user=user).filter(pk=store.pk).exists():
        return tasks
    return tasks.filter(assignee__user=user)


@dataclass(frozen=True)
class StoreHoursHold:
    """A running SMS campaign whose sending hours the store's SMS hours do not take in whole (ADR 0044)."""

    campaign: Campaign
    store_from: time
    store_until: time
    shared: tuple[time, time] | None  # the part of each day its messages may go out in; None: they do not meet
    goes: bool  # the store's hours leave its messages a moment before the campaign ends
    waiting: int  # messages not yet sent
    withdrawn: int  # messages withdrawn as `store_sms_hours`


def campaigns_held_by_store_hours(
    *, store: Store, campaign: Campaign | None = None, now: datetime | None = None
) -> list[StoreHoursHold]:
    """The store's running SMS campaigns (or just `campaign`) whose sending hours its SMS hours do not take in whole,
    with how many of their messages wait and how many were withdrawn for it: the policy page's warning and the
    campaign page's notice. Two queries."""
    now = now or timezone.now()
    policy = policy_for_store(store=store)
    campaigns = Campaign.objects.filter(
        store=store, status=Campaign.Status.RUNNING, channel=Campaign.Channel.SMS, ends_at__gt=now
    ).order_by("starts_at", "pk")
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    held = [c for c in campaigns if c.send_from < policy.sms_send_from or c.send_until > policy.sms_send_until]
    if not held:
        return []
    counts = {
        row["campaign_id"]: row
        for row in CampaignContact.objects.filter(campaign__in=held, channel=Campaign.Channel.SMS)
        .values("campaign_id")
        .annotate(
            waiting=Count("id", filter=Q(status=ContactStatus.PLANNED)),
            withdrawn=Count("id", filter=Q(status=ContactStatus.SUPPRESSED, excluded_reason=STORE_SMS_HOURS)),
        )
        .order_by()
    }
    holds = []
    for c in held:
        c.store = store
        since = now if c.system_key else max(now, c.starts_at)
        row = counts.get(c.pk, {})
        holds.append(
            StoreHoursHold(
                campaign=c,
                store_from=policy.sms_send_from,
                store_until=policy.sms_send_until,
                shared=hours_shared(campaign=c, policy=policy),
                goes=store_hours_moment(campaign=c, policy=policy, moment=since) is not None,
                waiting=row.get("waiting", 0),
                withdrawn=row.get("withdrawn", 0),
            )
        )
    return holds
