"""The {placeholders} of a text a store writes for its customers (care SMS templates, campaign wordings)."""

import string

from django.utils.translation import gettext as _


class PlaceholderNotPlain(ValueError):
    """A placeholder with a format spec or conversion ({name:d}, {name!r:>99999999}): it would fail, or swell, at
    every send."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(_("Write a placeholder plainly, as {%(name)s}.") % {"name": name})


class PlaceholderBraceOpen(ValueError):
    """Braces that make no placeholder: one left open ("{name您好"), or a lone "}". Python's words for it ("expected '}'
    before end of string") are English: the caller says it in the writer's language, naming the placeholders it
    allows (the message "A brace is not closed: write placeholders as ...", as letters and replies say it)."""


def placeholder_parts(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """string.Formatter().parse(text) as a list; PlaceholderBraceOpen when its braces make no placeholder."""
    try:
        return list(string.Formatter().parse(text))
    except ValueError as exc:
        raise PlaceholderBraceOpen(str(exc)) from exc


def placeholder_names(text: str) -> set[str]:
    """The names of the text's placeholders. PlaceholderBraceOpen when its braces are malformed (checked first), then
    PlaceholderNotPlain for the first placeholder that is not written plainly."""
    parts = placeholder_parts(text)
    if plain := next((name for _, name, spec, conversion in parts if name and (spec or conversion)), None):
        raise PlaceholderNotPlain(plain)
    return {name for _, name, _, _ in parts if name is not None}
