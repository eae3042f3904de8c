"""A change that would withdraw contacts of running campaigns is saved only once the manager confirms how many
(ADR 0046).

New store hours (the follow-up policy's SMS hours, call hours, call window or call days) and a new closure can leave
planned campaign contacts no time before their campaign ends: campaign messages (ADR 0044) and return-visit calls
(ADR 0035), which are then withdrawn in the change's transaction. The service that saves the change first asks the
apps what it would withdraw (through a signal: `callbacks.signals.store_hours_would_withdraw`,
`crm.signals.store_closure_would_withdraw`), changing nothing, and `withdrawals_check` refuses the save with
`WithdrawalsNotConfirmed` (409) unless the manager confirmed that very number. The pages and the admin show the
question with `WithdrawalsConfirmField`, a checkbox posting the number it was shown with; another number posted
(by hand, or the set changed since it was shown) is refused with `WithdrawalsChanged` (409), asking again.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm import form_fields
from crm.errors import Conflict
from crm.punctuation import listed


@dataclass(frozen=True)
class ContactsWithdrawn:
    """What a change would withdraw of one campaign (`what`, its name): `messages` and return-visit `calls`."""

    what: str
    messages: int = 0
    calls: int = 0

    @property
    def count(self) -> int:
        return self.messages + self.calls

    def parts(self) -> list[str]:
        said = []
        if self.messages:
            said.append(
                ngettext("“%(name)s”: %(count)d message", "“%(name)s”: %(count)d messages", self.messages)
                % {"name": self.what, "count": self.messages}
            )
        if self.calls:
            said.append(
                ngettext(
                    "“%(name)s”: %(count)d return-visit call", "“%(name)s”: %(count)d return-visit calls", self.calls
                )
                % {"name": self.what, "count": self.calls}
            )
        return said


def withdrawals_answered(answers) -> list[ContactsWithdrawn]:
    """The receivers' answers to a "would withdraw" signal (`Signal.send`'s pairs), those that withdraw something."""
    return [found for _receiver, withdrawn in answers for found in withdrawn if found.count]


class WithdrawalsNotConfirmed(Conflict):
    """A change would withdraw campaign contacts and the manager has not confirmed as many. The form shows the question
    at `confirm_withdrawals` and asks for the number, `total`, to be confirmed."""

    code = "withdrawals_not_confirmed"
    default_message = _("Nothing was saved: confirm the campaign contacts this change withdraws.")

    def __init__(self, *, withdrawn: list[ContactsWithdrawn], **details) -> None:
        self.total = sum(found.count for found in withdrawn)
        campaigns = listed(part for found in withdrawn for part in found.parts())
        super().__init__(
            self.said(campaigns),
            field="confirm_withdrawals",
            total=self.total,
            campaigns=[{"name": found.what, "messages": found.messages, "calls": found.calls} for found in withdrawn],
            **details,
        )

    def said(self, campaigns: str) -> str:
        return ngettext(
            "Nothing was saved: this change leaves %(count)d planned contact of running campaigns no time before its "
            "campaign ends, and it would be withdrawn (%(campaigns)s). Tick the box to confirm, and save again.",
            "Nothing was saved: this change leaves %(count)d planned contacts of running campaigns no time before "
            "their campaigns end, and they would be withdrawn (%(campaigns)s). Tick the box to confirm, and save "
            "again.",
            self.total,
        ) % {"count": self.total, "campaigns": campaigns}


class WithdrawalsChanged(WithdrawalsNotConfirmed):
    """The manager confirmed another number than the change now withdraws: what they were shown is not what would go
    (a campaign started, or messages were sent, since; or the number was posted by hand). Asked again, with the
    number of now."""

    code = "withdrawals_changed"

    def __init__(self, *, withdrawn: list[ContactsWithdrawn], confirmed: int) -> None:
        self.confirmed = confirmed
        super().__init__(withdrawn=withdrawn, confirmed=confirmed)

    def said(self, campaigns: str) -> str:
        return ngettext(
            "Nothing was saved: what this change withdraws changed since you were asked (you confirmed %(confirmed)d). "
            "It now leaves %(count)d planned contact of running campaigns no time before its campaign ends "
            "(%(campaigns)s). Review it, tick the box to confirm, and save again.",
            "Nothing was saved: what this change withdraws changed since you were asked (you confirmed %(confirmed)d). "
            "It now leaves %(count)d planned contacts of running campaigns no time before their campaigns end "
            "(%(campaigns)s). Review them, tick the box to confirm, and save again.",
            self.total,
        ) % {"confirmed": self.confirmed, "count": self.total, "campaigns": campaigns}


def withdrawals_check(*, withdrawn: list[ContactsWithdrawn], confirmed: int | None) -> int:
    """Raise WithdrawalsNotConfirmed (naming the campaigns and their counts) unless the manager confirmed the very
    number of contacts the change would withdraw: a confirmation is for what was shown. Another number (a campaign
    started since, messages sent since, or a number posted by hand) is WithdrawalsChanged, which asks again with the
    number of now. A change that withdraws nothing (what was shown has all gone meanwhile) asks nothing and saves.
    Returns how many it withdraws."""
    total = sum(found.count for found in withdrawn)
    if total and confirmed != total:
        if confirmed:
            raise WithdrawalsChanged(withdrawn=withdrawn, confirmed=confirmed)
        raise WithdrawalsNotConfirmed(withdrawn=withdrawn)
    return total


class _TickedNumber(forms.CheckboxInput):
    """A checkbox that posts the number it was shown with (its `value`), nothing when not ticked; shown unticked every
    time, so each save is confirmed anew."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class WithdrawalsConfirmField(form_fields.IntegerField):
    """The manager's confirmation that a change withdraws campaign contacts: a checkbox that posts the number the form
    named (`ask`), which the saving service takes as `withdrawals_confirmed`."""

    widget = _TickedNumber
    # The admin's help beside it (the pages show it only with the question).
    admin_help = _(
        "Asked when a change would withdraw messages or return-visit calls of running campaigns: tick it to confirm "
        "them."
    )

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Withdraw these campaign messages and calls"))
        super().__init__(required=False, min_value=0, **kwargs)
        self.widget.attrs["value"] = "0"

    def ask(self, total: int) -> None:
        """Show the checkbox for `total` contacts, the number WithdrawalsNotConfirmed named."""
        self.widget.attrs["value"] = str(total)
