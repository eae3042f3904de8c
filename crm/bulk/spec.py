"""The rules of an upsert, as data: both backends read them, so each rule is written once."""

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils import timezone


class UpsertResult(NamedTuple):
    id: int
    created: bool
    changed: bool  # inserted, or a stored value changed: False when the row was already as given


class Reservation(NamedTuple):
    ids: dict[tuple, int]  # key values -> the stored row's id, or one drawn for a row not stored yet
    pending: list[dict]  # the rows `upsert` still has to write (with their "id"): new, or differing from the stored
    # key values -> {tracked field: its stored value} for each stored row the batch changes (Upsert.tracked)
    before: dict[tuple, dict] = {}  # a default shared by every Reservation: never mutated


@dataclass(frozen=True)
class Promote:
    """A status that starts at ``initial`` and moves on to ``promoted`` once ``when_known`` has a value.

    A new row starts at ``promoted`` if it already has the value. A stored row moves only from ``initial``:
    a later status (delivered, say) is never pulled back.
    """

    field: str
    initial: str
    promoted: str
    when_known: str


@dataclass(frozen=True)
class Upsert:
    """How rows of ``model`` are created or updated by ``key``.

    - ``replace``: fields an incoming row always sets.
    - ``keep_known``: {field: the incoming value that means "unknown"}: an incoming row with that value (or
      None) leaves the stored value as it is, and a new row gets that value. None as the marker: NULL means unknown.
    - ``promote``: a status derived from a field (``Promote``).
    - ``touch``: a field set to ``now`` on insert and on every real change (updated_at); ``created``: set to
      ``now`` on insert only. Every other column of a new row gets the model field's default.
    - ``tracked``: fields whose stored values ``reserve`` hands back for each stored row the batch changes, so the
      caller can keep a history of them without reading the rows again.
    """

    model: Any
    key: tuple[str, ...]
    replace: tuple[str, ...]
    keep_known: dict[str, Any] = field(default_factory=dict)
    promote: Promote | None = None
    touch: str = "updated_at"
    created: str = "created_at"
    tracked: tuple[str, ...] = ()

    @property
    def compared(self) -> tuple[str, ...]:
        """The fields an incoming row can change (a row changes nothing when all of them are equal)."""
        return (*self.replace, *self.keep_known)

    def unknown(self, name: str, value: Any) -> bool:
        return value is None or value == self.keep_known[name]

    def merged(self, name: str, incoming: Any, stored: Any) -> Any:
        """What a stored value becomes under an incoming row."""
        if name in self.keep_known and self.unknown(name, incoming):
            return stored
        return incoming

    def normalised(self, name: str, value: Any) -> Any:
        """An incoming value as a new row stores it: unknown is the marker."""
        if name in self.keep_known and value is None:
            return self.keep_known[name]
        return value


def default_of(field) -> Any:
    """The value the ORM gives a field nobody set: its default, or now for auto_now(_add) stamps."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()
