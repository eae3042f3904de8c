"""How callbacks tells the apps that create call tasks what came of them, without importing those apps.

Signals are sent explicitly from service functions, inside their transaction, never from model save().
Receivers (retention, logistics) connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent by callbacks.services.outcomes.followup_log_outcome, inside its transaction, after the attempt is saved and
# the follow-up holds its new status (done, or planned again after no answer), for every purpose of follow-up; and by
# callbacks.services.missed when a call nobody made is closed (status done, outcome "missed", attempt None).
# kwargs: followup (FollowUp, its `outcome` the one just written), attempt (CallAttempt, or None for a missed call).
# Lets the app that created a call task record the outcome on its own rows (retention: a campaign contact's outcome;
# logistics: the parcel's call notice); a receiver that raises rolls the outcome back.
followup_outcome_logged = Signal()

# Sent by callbacks.services.replan.followups_follow_policy (the policy page's `policy_update`, the admin's policy form)
# inside the policy change's transaction when the store's call window, call days, call hours or SMS sending hours
# changed, and by `followups_follow_closures` when a closure of the store was recorded or removed (ADR 0035), once
# callbacks has placed its own planned follow-ups by the new hours (ADR 0029). kwargs: store, policy (the
# FollowUpPolicy as saved), now. Lets an app move what it holds for the store's hours (logistics: parcel notices
# held until the SMS hours open, and its call notices, which show their call task's window; retention: a return visit
# moved past its campaign's end is taken back, ADR 0035, and the messages of running campaigns the new SMS hours
# leave no time for are withdrawn, ADR 0044).
store_hours_changed = Signal()

# Sent by callbacks.services.wishes.calls_withdraw_refused, inside its transaction, when callbacks itself takes back
# call tasks another app asked for because the customer's wishes now refuse them (a profile change; an opt-out reply,
# which refuses marketing calls). Not sent by call_tasks_withdraw: the app that withdraws its own tasks knows.
# kwargs: followups (list of FollowUp, suppressed, each with its `suppressed_reason`, the gate's reason).
# Lets that app take back its own rows with the reason (retention: the return visit's campaign row; logistics: the
# parcel's call notice).
call_tasks_withdrawn = Signal()

# Sent by callbacks.services.withdrawals before new hours of the store's policy are saved (the policy page's
# `policy_update`, the admin's policy form), when they would send `store_hours_changed`, and before a closure is
# recorded (crm's `store_closure_would_withdraw`, answered by callbacks). kwargs: store, policy (the FollowUpPolicy as
# it would be saved), now, call_tasks_moved ({call task id: the start of the window re-planning would move it to},
# for the planned call tasks that would move; `replan.call_tasks_replanned`, nothing written). A receiver changes
# nothing and returns a list of `crm.withdrawals.ContactsWithdrawn`: what its receiver of `store_hours_changed` would
# withdraw after the change (retention: messages of running campaigns the SMS hours leave no time for, ADR 0044, and
# return visits moved past their campaign's end, ADR 0035), so that the manager confirms it before anything is saved
# (ADR 0046).
store_hours_would_withdraw = Signal()

# Sent by callbacks.services.inbound.inbound_sms_receive, inside its transaction, once per inbound SMS it recorded
# from a number (not for a delivery Twilio repeats with the same MessageSid), after callbacks has read it (opt-out
# words, cases). kwargs: phone (the sender as phones are stored, E.164, however the gateway wrote it), at (when it
# came: its TelephonyEvent's `received_at`), body (its text as it came: an opt-out or opt-in word is no answer to a
# message, `opt_out.is_opt_word`, read by each store's own words). Lets an app record a reply to the messages it sent
# the number (retention: a campaign contact's `replied_at`). The transaction holds the number's lock and its customers'
# (ADR 0049, 0037): a receiver writes only its own rows, last.
inbound_sms_received = Signal()
