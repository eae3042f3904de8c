"""The {placeholders} of a text a store writes for its customers (care SMS templates, campaign wordings)."""

import string

from django.utils.translation import gettext as _


class PlaceholderNotPlain(ValueError):
    """A placeholder with a format spec or conversion ({name:d}, {name!r:>99999999}): it would fail, or swell, at
    every send."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(_("Write a placeholder plainly, as {%(name)s}.") % {"name": name})


def placeholder_names(text: str) -> set[str]:
    """The names of the text's placeholders. ValueError when its braces are malformed (checked first), then
    PlaceholderNotPlain for the first placeholder that is not written plainly."""
    parts = list(string.Formatter().parse(text))
    if plain := next((name for _, name, spec, conversion in parts if name and (spec or conversion)), None):
        raise PlaceholderNotPlain(plain)
    return {name for _, name, _, _ in parts if name is not None}
