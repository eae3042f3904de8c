"""Items listed in the reader's language."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def listed(items: Iterable[object]) -> str:
    """The items as the reader's language lists them: "JPEG, PNG" in English, "JPEG、PNG" in Chinese."""
    return pgettext("between the items of a list", ", ").join(str(item) for item in items)
