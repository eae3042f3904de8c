"""The gate's answer: allowed, or refused with a reason code agents see and, for "not now", when it ends."""

from dataclasses import dataclass
from datetime import datetime

from callbacks.models import RefusalReason

# Refusals that only say "not now": the one kind an agent may override on click to call.
TIME_REASONS = frozenset({RefusalReason.QUIET_HOURS, RefusalReason.OUTSIDE_CALL_WINDOW})


@dataclass(frozen=True, slots=True)
class ContactDecision:
    allowed: bool
    reason: str = ""  # "" when allowed, else a RefusalReason value
    not_before: datetime | None = None  # aware UTC: when a "not now" refusal ends (or a cap frees up)
    detail: str = ""  # human text for agents, translated

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def only_the_hour(self) -> bool:
        """Refused only because of the time of day: an automatic sender waits, an agent may override."""
        return self.reason in TIME_REASONS


ALLOWED = ContactDecision(allowed=True)


def refuse(reason: RefusalReason, detail: str, not_before: datetime | None = None) -> ContactDecision:
    return ContactDecision(allowed=False, reason=reason.value, not_before=not_before, detail=detail)
