"""Punctuation that follows the reader's language. Chinese pages write full-width marks ("照片：收据.jpg"), English
ones ASCII ("Photo: receipt.jpg"); a mark the code or a template puts between pieces, not inside a translated
sentence, is one translatable message here, so the catalog decides it once.

Templates write the label's separator with `{% colon %}`, and lists with `|listed` and `|itemised` (crm_tags); a
colon inside a `blocktranslate` sentence is the translator's, as is the rest of the sentence.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext, pgettext_lazy

LABEL_SEPARATOR = pgettext_lazy("between a label and its value", ": ")


def labelled(label: Any, value: Any) -> str:
    """'Photo: receipt.jpg' in English, '照片：收据.jpg' in Chinese. Plain text: a template escapes it whole."""
    return f"{label}{LABEL_SEPARATOR}{value}"


def listed(items: Iterable[object]) -> str:
    """The items as the reader's language lists them: "JPEG, PNG" in English, "JPEG、PNG" in Chinese."""
    return pgettext("between the items of a list", ", ").join(str(item) for item in items)


def itemised(items: Iterable[object]) -> str:
    """Items that are clauses themselves (form errors, options offered, SLA targets, labelled values), which hold
    commas of their own, set apart as the reader's language sets clauses apart: "A; B" in English, "A；B" in
    Chinese. Only for text a person reads: what a program reads (audit data, an API's error) keeps its ASCII."""
    return pgettext("between the items of a list of clauses", "; ").join(str(item) for item in items)
