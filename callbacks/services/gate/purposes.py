"""What the gate is asked about: a channel and a purpose it knows, and the purpose of each kind of follow-up."""

from callbacks.models import ContactChannel, ContactPurpose, FollowUpPurpose

# What each kind of follow-up is, to the gate. A return visit brings a customer back: marketing, so it needs
# consent (ADR 0017).
_GATE_PURPOSE = {
    FollowUpPurpose.CARE: ContactPurpose.CARE,
    FollowUpPurpose.LOGISTICS: ContactPurpose.LOGISTICS,
    FollowUpPurpose.RETURN_VISIT: ContactPurpose.MARKETING,
}


def gate_purpose(followup_purpose: str) -> str:
    """The gate's purpose for a follow-up's purpose."""
    return _GATE_PURPOSE[followup_purpose].value


def validate(channel: str, purpose: str) -> None:
    if channel not in ContactChannel.values:
        raise ValueError(f"unknown contact channel {channel!r}")
    if purpose not in ContactPurpose.values:
        raise ValueError(f"unknown contact purpose {purpose!r}")
