"""The columns a list of a big table sorts by: those an index leads with (ADR 0033).

A sort by any other column reads and sorts every row of the table on each load of a page, whatever its LIMIT: the
customers' list sorted by store joins every customer to its store to sort by the store's code, the orders' by amount
sorts every order. Such a column's header offers no sort (Django's `sortable_by`), and `?o=` naming it from the
address is ignored (`crm.admin_mixins.lookups.DeclaredLookupsChangeList`), the list shown as it is.

A column sorts by an index when its ordering is the primary key, or a concrete field of the model (not a relation:
Django sorts by a foreign key through the related model's own ordering, a join) that a database index leads with,
over every row (not a partial index's): `db_index`, `unique`, a `Meta.indexes` entry's first field, a unique
constraint's or `unique_together`'s first field.
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest


def index_leading_fields(model: type[models.Model]) -> set[str]:
    """Names of the model's fields an index over all its rows leads with."""
    opts = model._meta
    names = {opts.pk.name}
    names |= {f.name for f in opts.concrete_fields if (f.db_index or f.unique) and not f.is_relation}
    names |= {index.fields[0].lstrip("-") for index in opts.indexes if index.fields and index.condition is None}
    names |= {c.fields[0] for c in opts.constraints
              if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None}  # fmt: skip
    names |= {fields[0] for fields in opts.unique_together}
    return {name for name in names if not opts.get_field(name).is_relation}


def _ordering_field(model_admin: admin.ModelAdmin, column: str) -> str | None:
    """The field a list column sorts by (its `admin_order_field`, or the model field it shows), or None."""
    try:
        return model_admin.model._meta.get_field(column).name
    except (FieldDoesNotExist, TypeError):  # a method or attribute, sorted by its admin_order_field if it has one
        attr = column if callable(column) else getattr(model_admin, column, getattr(model_admin.model, column, None))
        order = getattr(attr, "admin_order_field", None)
        return order.lstrip("-") if isinstance(order, str) else None


def index_sortable_columns(model_admin: admin.ModelAdmin, request: HttpRequest) -> list:
    """The list's columns whose sort an index answers."""
    indexed = index_leading_fields(model_admin.model)
    pk = model_admin.model._meta.pk.name
    return [column for column in model_admin.get_list_display(request)
            if (field := _ordering_field(model_admin, column)) and field.replace("pk", pk, 1) in indexed]  # fmt: skip
