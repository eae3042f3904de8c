"""What a sweep did, counted by outcome, with the errors it met."""

from dataclasses import dataclass, field


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    unknown: int = 0
    suppressed: int = 0
    rescheduled: int = 0
    reconciled_sent: int = 0
    reconciled_replanned: int = 0
    errors: list[str] = field(default_factory=list)
