"""A stored value in words: a code by its choice's label, yes or no, a list or a dict as text; a detail as a `Line`
(label and value), and lines joined on one row."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from crm.models import Case, CaseCause, Remedy, TriageGroup
from crm.punctuation import itemised, labelled


def choice_labels(choices) -> Callable[[Any], str]:
    """A stored code by its choice's label; a code the choices do not hold, as it is."""
    names = dict(choices)
    return lambda value: str(names.get(value, value))


status_label = choice_labels(Case.Status.choices)
group_label = choice_labels(TriageGroup.choices)
cause_label = choice_labels(CaseCause.choices)
remedy_label = choice_labels(Remedy.Kind.choices)
YES_NO = {True: gettext_lazy("yes"), False: gettext_lazy("no")}


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def value_text(value: Any) -> str:
    """A value no label table names: empty as a dash, a list or a dict item by item."""
    if value in (None, "", [], {}):
        return "–"
    if isinstance(value, list | tuple):
        return itemised(value_text(v) for v in value)
    if isinstance(value, dict):
        return itemised(labelled(k, value_text(v)) for k, v in value.items())
    return str(value)


def join(lines: Iterable[Line]) -> str:
    return " · ".join(labelled(line.label, line.value) for line in lines)
