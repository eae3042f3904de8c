from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Segments, campaigns, birthdays and gifts")

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.urls import reverse

        from callbacks.signals import (
            call_tasks_withdrawn,
            followup_outcome_logged,
            inbound_sms_received,
            store_hours_changed,
            store_hours_would_withdraw,
        )
        from crm.casework import customer_section_register
        from crm.home import WaitingWork, waiting_work_register
        from crm.models import Store
        from crm.readable import customer_change_register
        from crm.services.ingestion.inputs import OrderInput
        from crm.signals import (
            agent_left_stores,
            customer_profile_changed,
            orders_upserted,
            store_timezone_changed,
            store_timezone_would_withdraw,
        )

        from . import receivers
        from .customer_section import CAMPAIGN_CONTACTS_SECTION
        from .selectors import open_gift_tasks_count
        from .services import sending, visits
        from .services.gifts import GIFT_SENT, gift_sent_text

        sending.register()
        customer_section_register(CAMPAIGN_CONTACTS_SECTION)
        customer_change_register(GIFT_SENT, label=_("Gift sent"), show=gift_sent_text)
        waiting_work_register(
            WaitingWork(
                name="gift_tasks",
                label=_("Gift tasks to send"),
                url=lambda: reverse("retention:my_gift_tasks"),
                count=lambda *, user, stores, now: open_gift_tasks_count(user=user, stores=stores),
                order=40,
            )
        )
        orders_upserted.connect(receivers.redeem_coupons, sender=OrderInput, dispatch_uid="retention.redeem_coupons")
        store_timezone_changed.connect(receivers.follow_the_stores_new_zone, dispatch_uid="retention.new_zone")
        # ... which the zone change asks about first, for the operator to confirm (ADR 0046).
        store_timezone_would_withdraw.connect(
            receivers.contacts_the_new_zone_would_withdraw, dispatch_uid="retention.new_zone_would_withdraw"
        )
        agent_left_stores.connect(receivers.hand_over_the_gift_tasks_of_who_left, dispatch_uid="retention.hand_over")
        customer_profile_changed.connect(
            receivers.cancel_the_gifts_of_who_wants_no_contact, dispatch_uid="retention.no_contact_no_gift"
        )
        post_save.connect(receivers.store_builtin_segments, sender=Store, dispatch_uid="retention.builtin_segments")
        # A return-visit call's outcome, logged on callbacks' call panel, lands on the campaign's row.
        followup_outcome_logged.connect(visits.campaign_call_outcome_record, dispatch_uid="retention.call_outcome")
        # A return visit callbacks took back (the customer opted out, or no longer wants calls) excludes its row.
        call_tasks_withdrawn.connect(visits.campaign_calls_withdrawn, dispatch_uid="retention.calls_withdrawn")
        # An SMS from a number that answers a campaign's message: the contact's reply, recorded as it comes.
        inbound_sms_received.connect(receivers.record_campaign_replies, dispatch_uid="retention.campaign_replies")
        # A closure or new call hours moved return visits: one now after its campaign's end is taken back (ADR 0035).
        store_hours_changed.connect(receivers.calls_past_their_campaigns_end, dispatch_uid="retention.past_end")
        # New SMS hours of the store: messages they leave no time for before their campaign ends are withdrawn.
        store_hours_changed.connect(receivers.follow_the_stores_new_hours, dispatch_uid="retention.new_hours")
        # ... both of which new hours and a closure ask about first, for the manager to confirm (ADR 0046).
        store_hours_would_withdraw.connect(
            receivers.contacts_the_new_hours_would_withdraw, dispatch_uid="retention.new_hours_would_withdraw"
        )
