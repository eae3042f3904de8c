"""Birthday wishes N days before (store setting) and gift tasks for loyal customers, planned daily by beat.

Wishes are rows of the store's birthday campaign of the year (one per customer and year by the campaign's unique
constraint), sent by the SMS sweeper through the contact gate like any campaign message. That campaign is found by
its system key ("birthday:2027", unique per store), whatever its name: a manager may rename it, and its name is in
the language of the run that made it.
"""

import calendar
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.services.policy import policy_for_store
from crm import bulk
from crm.models import Customer, Store
from crm.services.locks import advisory_lock
from crm.timezones import store_local_datetime, store_today

from ..models import (
    Campaign,
    CampaignChannel,
    CampaignContact,
    CampaignPurpose,
    ContactStatus,
    GiftTask,
    Segment,
    retention_policy_for,
)
from ..selectors import segment_members
from ..wording import campaign_text
from .gifts import gift_assignee
from .plan import sending_moment
from .segments import segments_ensure_builtin


def birthday_campaign_key(year: int) -> str:
    return f"birthday:{year}"


def _birthday_campaign(store: Store, year: int, template: str) -> Campaign:
    """The store's birthday campaign of the year, its wording the store's wish as it is now (a wish rewritten in
    March is the one planned from then on; wishes already planned keep their text)."""
    # Found by its key, not its name: the name is in the language of the run that made it, and may be renamed.
    campaign, _created = Campaign.objects.get_or_create(
        store=store,
        system_key=birthday_campaign_key(year),
        defaults={
            "purpose": CampaignPurpose.BIRTHDAY,
            "name": _("Birthday wishes %(year)s") % {"year": year},
            "channel": CampaignChannel.SMS,
            "wordings": [template],
            "starts_at": store_local_datetime(store, datetime(year, 1, 1).date(), time.min),
            "ends_at": store_local_datetime(store, datetime(year + 1, 1, 1).date(), time.min),
            "send_from": time(10, 0),
            "send_until": time(20, 0),
            "status": Campaign.Status.RUNNING,
            "started_at": timezone.now(),
        },
    )
    if campaign.wordings != [template]:
        campaign.wordings = [template]
        campaign.save(update_fields=["wordings"])
    return campaign


def _born_on(day: date) -> Q:
    """Customers whose birthday is `day`; in a year without Feb 29, those born on it have theirs on Feb 28."""
    born = Q(birthday__month=day.month, birthday__day=day.day)
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        born |= Q(birthday__month=2, birthday__day=29)
    return born


@transaction.atomic
def birthday_wishes_plan(*, store: Store, now: datetime | None = None) -> int:
    """Plan the wishes for customers whose birthday is `birthday_days_before` days from today (store time)."""
    now = now or timezone.now()
    policy = retention_policy_for(store=store)
    if not policy.birthday_wishes:
        return 0
    day = store_today(store, now=now) + timedelta(days=policy.birthday_days_before)
    customers = list(Customer.objects.filter(_born_on(day), store=store))
    if not customers:
        return 0
    # Two runs at once (beat's hourly run beside a slow or redelivered one) would each find no campaign of the year
    # and make one, and each customer would get two wishes: the second waits here and finds the first's campaign.
    advisory_lock([f"birthday-campaign:{store.pk}"])
    campaign = _birthday_campaign(store, day.year, policy.birthday_template)
    sms_policy = policy_for_store(store=store)
    due = sending_moment(campaign=campaign, moment=now)
    rows = [
        CampaignContact(
            campaign=campaign,
            store=store,
            customer=customer,
            channel=CampaignChannel.SMS,
            status=ContactStatus.PLANNED,
            due_at=due,
            message_body=campaign_text(
                campaign=campaign, policy=sms_policy, customer_id=customer.pk, name=customer.name
            ),
        )
        for customer in customers
    ]
    before = CampaignContact.objects.filter(campaign=campaign).count()
    CampaignContact.objects.bulk_create(rows, ignore_conflicts=True)
    return CampaignContact.objects.filter(campaign=campaign).count() - before


@transaction.atomic
def gift_tasks_plan(*, store: Store, now: datetime | None = None) -> int:
    """A gift task for each high-value repeat buyer whose birthday is `gift_days_before` days away."""
    now = now or timezone.now()
    policy = retention_policy_for(store=store)
    day = store_today(store, now=now) + timedelta(days=policy.gift_days_before)
    segments_ensure_builtin(store=store)
    loyal = segment_members(segment=Segment.objects.get(store=store, builtin="high_value_repeat"))
    customers = list(
        Customer.objects.filter(_born_on(day), store=store, pk__in=loyal.values("customer_id")).exclude(
            contact_preference=Customer.ContactPreference.DO_NOT_CONTACT
        )
    )
    tasks = [
        {
            "store_id": store.pk,
            "customer_id": c.pk,
            "occasion_date": day,
            "assignee_id": gift_assignee(store=store, customer=c),
        }
        for c in customers
    ]
    # The tasks an earlier (or an overlapping) run planned are left out, and not counted: the count is the new ones.
    return len(bulk.insert_new(GiftTask, tasks, key=("customer_id", "occasion_date")))
