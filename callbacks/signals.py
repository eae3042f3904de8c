"""How callbacks tells the apps that create call tasks what came of them, without importing those apps.

Signals are sent explicitly from service functions, inside their transaction, never from model save().
Receivers (retention) connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent by callbacks.services.outcomes.followup_log_outcome, inside its transaction, after the attempt is saved and
# the follow-up holds its new status (done, or planned again after no answer), for every purpose of follow-up; and by
# callbacks.services.missed when a call nobody made is closed (status done, outcome "missed", attempt None).
# kwargs: followup (FollowUp, its `outcome` the one just written), attempt (CallAttempt, or None for a missed call).
# Lets the app that created a call task record the outcome on its own rows (retention: a campaign contact's outcome;
# logistics: the parcel's call notice); a receiver that raises rolls the outcome back.
followup_outcome_logged = Signal()
