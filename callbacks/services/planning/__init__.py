"""Planning: each delivered order becomes at most one care contact, in the delivery's own transaction.

One code path serves the single delivery event (the `orders_delivered` receiver) and bulk planning, so the
rules below hold the same way for one order or 100,000:

1. Tier by the order's value in the policy currency (below the first tier: nothing planned).
2. The contact gate decides (callbacks.services.gate, asked once per store and channel for the whole batch): a
   call the gate refuses with `no_calls` becomes a care SMS, any other standing refusal (do_not_contact,
   sms_opt_out, no_phone) suppresses the contact with the gate's reason. Refusals about the hour are not
   refusals here: step 5 places every contact in its window. Suppressed rows are kept with their reason.
3. One care contact per customer per store-local day of delivery (`contact_day`): the highest tier of the day wins
   (a contact already under way, a call back at the time the customer asked for, or the retry of a call that rang
   unanswered, is never replaced); the others are kept as suppressed, `merged` into it. Those merged into a care SMS
   that failed (refused, or reported undelivered) are then covered by the rule of a failed SMS (services.merged, ADR
   0051): a call-tier order is called, none is texted again at that number.
4. One care contact per customer per store-local day on which it is made (ADR 0051): the evening a call is made in,
   the day whose sending hours a care SMS goes out in. Deliveries at 23:59 and at 00:00 are two delivery days but
   one evening's call (one morning's SMS): the second joins the first by step 3's rule, the contacts already planned
   included, whatever order their events came in.
5. Windows: calls in the store's call window (tonight's, or the next call day's once it has closed), never on a day of
   the store's closures (ADR 0035: the next open evening); SMS at once inside sending hours, else at the next
   opening. Both are counted from the delivery, or from the moment it is reported when that is later: a delivery
   reported after its evening is called on the next one.
6. Calls go to on-shift agents serving the store, balanced to their evening capacity; a dedicated-tier
   customer goes to their owner, chosen (least loaded) and kept on the customer the first time. What does
   not fit is flagged `overflowed` and handled by the policy's overflow rule. A contact the overflow rule moves to
   another day (the next evening, or a care SMS instead) is held to step 4 again on the day it lands on.

One module per step: `plans` (a delivery on its way to a row), `gate_answers` (2), `merges` (3, 4), `schedule` (5,
6), `writing` (the rows), and `deliveries` (`followups_plan`, the steps in order).
"""

from .deliveries import followups_plan

__all__ = ["followups_plan"]
