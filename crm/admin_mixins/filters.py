"""List filters that read no column over every row on a load."""

import copy
from collections.abc import Iterable
from typing import Any

from django.contrib import admin


def choices_filter(choices: Iterable[tuple[str, Any]]) -> type[admin.FieldListFilter]:
    """A list filter on a field offering `choices` (value, label), as if the field declared them.

    Django's own filter for a field without choices lists its values with `SELECT DISTINCT` over the whole table, on
    every load of the list; the codes a service writes there (an outcome, a reason, an action) are known.
    """
    fixed = list(choices)

    class FixedChoicesFilter(admin.ChoicesFieldListFilter):
        def __init__(self, field, request, params, model, model_admin, field_path):
            field = copy.copy(field)
            field.choices = fixed
            super().__init__(field, request, params, model, model_admin, field_path)

    return FixedChoicesFilter
