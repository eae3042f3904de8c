"""Lookups whose SQL depends on the database vendor, side by side.

`field__any_of=[...]`: membership in a large list as one array parameter on PostgreSQL (`= ANY(%s)`).

Django's `__in` prepares every value and writes one placeholder each; planning asks about tens of thousands
of ids at once, where that preparation alone costs seconds. Other databases get a plain IN list.
"""

from django.db.models import Field, ForeignObject, JSONField, Lookup


@ForeignObject.register_lookup  # related fields keep their own lookup table
@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    # The values go to the driver as they are (psycopg2 adapts a list to an array). Pass a set or dict keys:
    # Django walks a list or tuple on the right-hand side value by value before the lookup sees it.
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


@JSONField.register_lookup
class HasItem(Lookup):
    """`field__has_item="x"`: a JSON list holds the string x (a case's causes). PostgreSQL asks jsonb containment,
    SQLite walks the list with json_each."""

    lookup_name = "has_item"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} @> jsonb_build_array(%s::text)", [*lhs_params, str(self.rhs)]
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)", [*lhs_params, str(self.rhs)]  # noqa: S608  lhs is a column
